"""Search as people type: accents, street suffixes, prefixes of numbers and serials,
names ranked before streets, and the results alone for the page's script."""

from __future__ import annotations

import pytest

from coopcis.apps.members.models import Account
from coopcis.apps.premises.models import Premise
from tests.factories import (
    AccountFactory,
    MeterFactory,
    MeterInstallationFactory,
    PartyFactory,
    ServiceAgreementFactory,
)

pytestmark = pytest.mark.django_db


def numbers(client, query, **extra):
    response = client.get("/", {"q": query, **extra})
    assert response.status_code == 200, response
    return [account.number for account in response.context["page"].object_list]


@pytest.fixture
def clerk(client_as):
    return client_as("read_only")


@pytest.fixture
def ramon(db):
    account = AccountFactory(
        number="2200731",
        party=PartyFactory(first_name="Ramón", last_name="Ibáñez"),
        mailing_line1="PO Box 12",
    )
    agreement = ServiceAgreementFactory(
        account=account, service_point__premise__line1="88 Sacramento Rd"
    )
    meter = MeterFactory(serial="AC4100731")
    MeterInstallationFactory(meter=meter, service_point=agreement.service_point)
    return account


@pytest.mark.parametrize("query", ["Ramon", "ramón", "RAMON IBANEZ", "ibañez", "Ibanez, Ram"])
def test_accents_and_case_do_not_matter(clerk, ramon, query):
    assert numbers(clerk, query) == ["2200731"]


@pytest.mark.parametrize("query", ["Sacramento Road", "sacramento rd", "88 sacramento ro"])
def test_a_street_suffix_in_either_spelling_finds_the_address(clerk, ramon, query):
    assert numbers(clerk, query) == ["2200731"]


def test_the_start_of_an_account_number_or_meter_serial_finds_it(clerk, ramon):
    AccountFactory(number="2299999")
    assert numbers(clerk, "22007") == ["2200731"]
    assert sorted(numbers(clerk, "22")) == ["2200731", "2299999"]
    assert numbers(clerk, "ac41007") == ["2200731"]


def test_names_come_before_street_matches(clerk, ramon):
    # someone living on Ramon Street comes after every Ramón by name
    on_the_street = AccountFactory(number="2200100", party=PartyFactory(last_name="Abeyta"))
    ServiceAgreementFactory(account=on_the_street, service_point__premise__line1="5 Ramon St")
    assert numbers(clerk, "ramon") == ["2200731", "2200100"]
    # alphabetically Abeyta would come first: the rank, not the name, decides
    assert Account.objects.get(number="2200100").party.display_name < "Ibáñez"


def test_an_exact_number_ranks_first_and_enter_still_opens_it(clerk, ramon):
    AccountFactory(number="22007310")
    assert numbers(clerk, "2200731", live="1") == ["2200731", "22007310"]
    response = clerk.get("/", {"q": "2200731"})
    assert response.status_code == 302 and response.url == "/accounts/2200731/"


def test_live_results_come_alone_and_never_redirect(clerk, ramon):
    response = clerk.get("/", {"q": "AC4100731", "live": "1"})
    assert response.status_code == 200
    assert "<html" not in response.text and "<form" not in response.text
    assert "1 account for “AC4100731”" in response.text and "/accounts/2200731/" in response.text


def test_saving_a_name_or_address_refolds_it(ramon):
    party = ramon.party
    party.first_name = "José"
    party.save()
    party.refresh_from_db()
    assert party.search_name == " IBANEZ JOSE "
    premise = Premise.objects.get(line1="88 Sacramento Rd")
    premise.line1 = "9 Bent Highway"
    premise.save()
    premise.refresh_from_db()
    assert " HWY" in premise.search_text and " HIGHWAY" in premise.search_text


def test_the_search_script_is_a_static_file_and_no_script_is_inline(clerk, ramon):
    page = clerk.get("/", {"q": "ramon"}).text
    assert '<script src="/static/backoffice/search.js" defer></script>' in page
    assert "<script>" not in page
