"""A small demo co-op, loaded once for the consecutive tests of a module that read it
(``tests/shared_build.py``); a test that empties the database loads its own."""

from __future__ import annotations

from django.core.management import call_command

from tests.shared_build import shared_fixture

#: Big enough that every service class, Rate 19 included, gets an account
#: (``population.FULL_MIX_MEMBERS``), small enough to load in about a second.
SMALL_RUN = ("--members", "60", "--months", "3", "--through", "2025-08", "--seed", "7")


@shared_fixture
def demo_coop() -> None:
    call_command("demo", *SMALL_RUN, verbosity=0)
