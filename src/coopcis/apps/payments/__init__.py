"""Payments from every channel: received once, applied to what is owed, posted, reversed."""
