"""Fixtures shared by the integration tests."""

from tests.integration.small_coop import small_coop

__all__ = ["small_coop"]
