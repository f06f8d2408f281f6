"""Meters, their installation history, register reads and interval data."""
