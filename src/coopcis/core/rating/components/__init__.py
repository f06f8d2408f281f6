"""Charge shapes, one small module each (the registry of kinds is ``rating.registry``)."""
