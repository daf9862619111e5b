"""Append-only, hash-chained record of who did or viewed what, when, and on what basis."""
