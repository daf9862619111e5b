"""Delivery to the core group: the in-app inbox, email (immediate, daily digest), escalation."""
