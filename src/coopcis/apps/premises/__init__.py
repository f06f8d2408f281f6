"""Premises, service points and service agreements."""
