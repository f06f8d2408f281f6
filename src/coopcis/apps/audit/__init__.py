"""Audit history: who changed which master data, when, from what to what."""
