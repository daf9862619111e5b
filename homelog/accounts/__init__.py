"""Agencies, users, sign-in and server-side sessions."""
