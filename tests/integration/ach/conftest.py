"""Fixtures for the bank-draft tests."""

from tests.integration.ach.helpers import originator

__all__ = ["originator"]
