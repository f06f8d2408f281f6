"""The pure core: the co-op's rules as plain Python.

No Django, no clock, no I/O. Callers pass dates and data in; the core decides and
returns values. An import-linter contract (pyproject.toml) keeps it that way.
"""
