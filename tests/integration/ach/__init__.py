"""Automatic bank draft, returns, returned checks and late fees."""
