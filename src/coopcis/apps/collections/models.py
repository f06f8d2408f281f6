"""Collection models (see collections/__init__.py)."""
