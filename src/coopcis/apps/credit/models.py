"""Deposit models (see credit/__init__.py)."""
