"""The account a staff command names (``collections``, ``deposits``, ``net-metering``)."""

from __future__ import annotations

import pytest
from django.core.management.base import CommandError

from coopcis.apps.members.management.arguments import find_account
from tests.factories import AccountFactory


@pytest.mark.django_db
def test_an_account_is_found_by_its_number():
    account = AccountFactory()
    AccountFactory()

    assert find_account(account.number).pk == account.pk


@pytest.mark.django_db
def test_an_unknown_number_is_refused_in_one_line():
    AccountFactory()

    with pytest.raises(CommandError) as refused:
        find_account("NO-SUCH-1")

    assert str(refused.value) == "no account NO-SUCH-1"
