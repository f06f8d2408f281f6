"""The demo loader writes rows without ``save()``: its members must be searchable too."""

from __future__ import annotations

from django.core.management import call_command

from coopcis.apps.backoffice.queries import search_accounts
from coopcis.apps.members.models import Account, Party
from coopcis.apps.premises.models import Premise
from coopcis.core.search import address_search_text, digits_only, name_search_text
from tests.integration.demo.conftest import SMALL_RUN


def test_demo_rows_carry_their_search_text(transactional_db):
    call_command("demo", *SMALL_RUN, verbosity=0)
    for party in Party.objects.all():
        assert party.search_name == name_search_text(party.display_name)
        assert party.phone_digits == digits_only(party.phone)
    for premise in Premise.objects.all():
        assert premise.search_text == address_search_text(premise.address.one_line())
    account = Account.objects.select_related("party").order_by("number").first()
    assert account.mailing_search.strip()
    surname = account.party.display_name.split(",")[0].split()[0]
    assert account in search_accounts(surname.lower())
