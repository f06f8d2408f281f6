"""A small demo co-op, loaded once per test into a fresh database."""

from __future__ import annotations

import pytest
from django.core.management import call_command

#: Big enough that every service class, Rate 19 included, gets an account
#: (``population.FULL_MIX_MEMBERS``), small enough to load in about a second.
SMALL_RUN = ("--members", "60", "--months", "3", "--through", "2025-08", "--seed", "7")


@pytest.fixture
def demo_coop(transactional_db: None) -> None:
    call_command("demo", *SMALL_RUN, verbosity=0)
