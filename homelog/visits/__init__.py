"""Visits, amendments and events: the shared log itself."""
