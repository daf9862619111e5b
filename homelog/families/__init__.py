"""Families, their children and plan, and the core group who may see them."""
