"""Pieces every feature shares: database base, errors, schemas, auth decorators, signals, time."""
