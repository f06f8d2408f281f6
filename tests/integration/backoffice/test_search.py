"""Account search: each key finds the account, the results say what they should, and the
number of queries does not grow with the number of results."""

from __future__ import annotations

from datetime import date

import pytest

from tests.factories import (
    AccountFactory,
    MeterInstallationFactory,
    PartyFactory,
    ServiceAgreementFactory,
    ServicePointFactory,
)

pytestmark = pytest.mark.django_db

#: Session, user, the user's permissions (2), role groups, exact-hit checks (2), count,
#: page, agreements of the page. Pinned: a regression to one query per row fails here.
SEARCH_QUERIES = 10


def result_numbers(response) -> list[str]:
    return [account.number for account in response.context["page"].object_list]


@pytest.fixture
def clerk(client_as):
    return client_as("read_only")


@pytest.mark.parametrize("query", ["baca", "BACA", "Bac", "maria baca", "Baca, Maria"])
def test_finds_by_party_name_in_any_case_and_word_order(clerk, maria, query):
    PartyFactory(first_name="Mario", last_name="Chavez")

    response = clerk.get("/", {"q": query})

    assert response.status_code == 200
    assert result_numbers(response) == ["3100417"]


def test_an_exact_account_number_goes_straight_to_the_account(clerk, maria):
    response = clerk.get("/", {"q": " 3100417 "})

    assert response.status_code == 302
    assert response.url == "/accounts/3100417/"


@pytest.mark.parametrize("serial", ["AMI77120", "ami77120", "OLD55501"])
def test_a_meter_serial_ever_installed_at_the_account_goes_to_it(clerk, maria, serial):
    response = clerk.get("/", {"q": serial})

    assert response.status_code == 302
    assert response.url == "/accounts/3100417/"


def test_a_meter_serial_shared_by_two_accounts_over_time_lists_both(clerk, maria):
    maria.agreement.end_on = date(2030, 1, 1)
    maria.agreement.save()
    later_tenant = AccountFactory(number="3100999")
    ServiceAgreementFactory(
        account=later_tenant, service_point=maria.service_point, start_on=date(2030, 1, 1)
    )

    response = clerk.get("/", {"q": "AMI77120"})

    assert response.status_code == 200
    assert sorted(result_numbers(response)) == ["3100417", "3100999"]


@pytest.mark.parametrize(
    "query", ["1207 James Canyon", "james canyon hwy, cloudcroft", "PO Box 817"]
)
def test_finds_by_service_or_mailing_address(clerk, maria, query):
    ServiceAgreementFactory(service_point__premise__line1="40 Sunspot Hwy")  # someone elsewhere

    response = clerk.get("/", {"q": query})

    assert result_numbers(response) == ["3100417"]


@pytest.mark.parametrize(
    "query", ["575-682-4411", "(575) 682 4411", "5756824411", "682-9900", "9900"]
)
def test_finds_by_party_or_account_phone_whatever_the_punctuation(clerk, maria, query):
    AccountFactory(phone="575-555-1234", party=PartyFactory(phone="575-555-4321"))

    response = clerk.get("/", {"q": query})

    assert result_numbers(response) == ["3100417"]


def test_results_show_number_name_service_address_rate_class_and_status(clerk, maria):
    response = clerk.get("/", {"q": "Baca"})

    row = response.text.split("<tbody>")[1].split("</tbody>")[0]
    assert '<a href="/accounts/3100417/">3100417</a>' in row
    assert "Baca, Maria" in row
    assert "1207 James Canyon Hwy, Cloudcroft, NM 88317" in row
    assert "Residential" in row
    assert "Active" in row


def test_nothing_found_says_so(clerk, maria):
    response = clerk.get("/", {"q": "Zamora"})

    assert response.status_code == 200
    assert result_numbers(response) == []
    assert "0 accounts" in response.text
    assert "No account matches" in response.text


def test_an_empty_search_lists_nothing(clerk, maria):
    response = clerk.get("/", {"q": "  "})

    assert response.context["page"] is None


def test_results_are_paginated(clerk):
    for number in range(30):
        AccountFactory(party=PartyFactory(last_name="Lucero", first_name=f"Ana{number:02d}"))

    first = clerk.get("/", {"q": "lucero"})
    second = clerk.get("/", {"q": "lucero", "page": 2})

    assert len(result_numbers(first)) == 25
    assert len(result_numbers(second)) == 5
    assert "Page 1 of 2" in first.text
    assert set(result_numbers(first)).isdisjoint(result_numbers(second))


@pytest.mark.parametrize("accounts", [2, 25])
def test_search_query_count_does_not_grow_with_results(
    clerk, accounts, django_assert_max_num_queries
):
    for number in range(accounts):
        account = AccountFactory(party=PartyFactory(last_name="Otero", first_name=f"Lu{number}"))
        point = ServicePointFactory()
        ServiceAgreementFactory(account=account, service_point=point)
        MeterInstallationFactory(service_point=point)

    with django_assert_max_num_queries(SEARCH_QUERIES):
        response = clerk.get("/", {"q": "otero"})

    assert len(result_numbers(response)) == accounts
    assert response.text.count("James Canyon Hwy, Cloudcroft") == accounts
