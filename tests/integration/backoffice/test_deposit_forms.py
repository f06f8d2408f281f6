"""Security deposits from the account page: each form calls its service of
``apps.credit.services`` (what ``coopcis deposits`` does) and the result shows on the
Security deposits card; a refusal is shown against its field and writes nothing. Customer
service decides, takes and bills deposits and records guarantors; refunds and excess
payouts are finance's; read-only gets 403.

The small co-op's home is billed for October 2026 ($183.89, open). The commission's rate is
2% from 2020 and 3% from 2026. "Today" is 13 November 2026.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from coopcis.apps.backoffice import protections
from coopcis.apps.billing.run import run_billing
from coopcis.apps.credit.models import (
    CreditDecision,
    Deposit,
    DepositEvent,
    DepositReceipt,
    DepositStatus,
    EventKind,
    Guarantor,
)
from coopcis.apps.credit.services import (
    bill_deposit,
    decide_deposit,
    refund_deposit,
    set_interest_rate,
    take_deposit,
)
from coopcis.apps.ledger.models import JournalEntry, JournalLine
from coopcis.apps.ledger.reports import trial_balance
from coopcis.apps.members.models import Account
from coopcis.apps.receivables.models import ItemCategory, ItemStatus, ReceivableItem
from tests.integration.backoffice.conftest import account_card, field_errors

pytestmark = pytest.mark.django_db
D = Decimal
TODAY = date(2026, 11, 13)
A_YEAR_AGO = date(2025, 11, 13)


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch) -> None:
    monkeypatch.setattr(protections, "today", lambda: TODAY)


@pytest.fixture
def home(small_coop):
    run_billing(period_label="2026-10")
    return small_coop.home


@pytest.fixture
def rates(db) -> None:
    set_interest_rate(effective_on=date(2020, 1, 1), annual_rate=D("0.02"), source="NMPRC A")
    set_interest_rate(effective_on=date(2026, 1, 1), annual_rate=D("0.03"), source="NMPRC B")


def url(account, path: str) -> str:
    return f"/accounts/{account.number}/deposits/{path}"


def gl(number: str) -> Decimal:
    lines = JournalLine.objects.filter(gl_account_id=number)
    return sum((line.credit_amount - line.debit_amount for line in lines), D(0))


# --- deciding -------------------------------------------------------------------------------


def test_a_new_member_without_credit_must_pay_the_policy_404_amount(client_as, home):
    clerk = client_as("customer_service")

    response = clerk.post(url(home, "decisions/new/"), {"event": "APPLICATION", "on": "2026-11-13"})

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/{home.number}/#deposits"
    decision = CreditDecision.objects.get(account=home)
    # one October bill of $183.89 stands for each month: 1/6 of a year, capped at 150%
    assert (decision.required, decision.amount, decision.decided_on) == (True, D("275.84"), TODAY)
    assert decision.reasons == ["NEW_WITHOUT_CREDIT"]
    card = account_card(clerk, home, "deposits")
    assert "<td>Application for service</td>" in card and "<td>Required: $275.84</td>" in card
    assert "Grounds: new member without acceptable credit; Estimate: HISTORY_AVERAGED" in card


def test_credit_established_means_no_deposit_and_the_card_says_how(client_as, home):
    clerk = client_as("customer_service")

    clerk.post(
        url(home, "decisions/new/"),
        {
            "event": "APPLICATION",
            "on": "2026-11-13",
            "credit_methods": ["HOME_OWNER", "REFERENCES"],
        },
    )

    decision = CreditDecision.objects.get(account=home)
    assert (decision.required, decision.amount) == (False, D("0.00"))
    assert decision.credit_established_by == ["HOME_OWNER", "REFERENCES"]
    card = account_card(clerk, home, "deposits")
    assert "<td>Not required</td>" in card
    assert (
        "Credit established by: owns or is buying a home, "
        "references from a prior utility or a credit source"
    ) in card


def test_special_consideration_lets_staff_set_a_lower_amount(client_as, home):
    clerk = client_as("customer_service")

    clerk.post(
        url(home, "decisions/new/"),
        {
            "event": "APPLICATION",
            "on": "2026-11-13",
            "special_consideration": "low income, 78 years old",
            "amount": "50.00",
        },
    )

    decision = CreditDecision.objects.get(account=home)
    assert (decision.required, decision.amount) == (True, D("50.00"))
    assert "Special consideration: low income, 78 years old" in account_card(
        clerk, home, "deposits"
    )


@pytest.mark.parametrize(
    ("special", "amount", "error"),
    [
        ("low income", "900.00", "special consideration cannot raise the deposit"),
        ("", "100.00", "the amount comes from policy 404 unless special consideration applies"),
        ("low income", "", "with special consideration, set the amount"),
    ],
)
def test_the_amount_is_policy_404s_unless_special_consideration_lowers_it(
    client_as, home, special, amount, error
):
    data = {"event": "APPLICATION", "on": "2026-11-13"}

    response = client_as("customer_service").post(
        url(home, "decisions/new/"), {**data, "special_consideration": special, "amount": amount}
    )

    assert response.status_code == 200
    assert field_errors(response, "amount") == [error]
    assert 'id="error-amount"' in response.text
    assert CreditDecision.objects.count() == 0


# --- taking and billing -----------------------------------------------------------------------


def test_a_deposit_taken_at_the_office_is_held_and_receipted_in_the_accounts_language(
    client_as, home
):
    Account.objects.filter(pk=home.pk).update(language="ES")
    decision = decide_deposit(account=home, event="APPLICATION", on=TODAY)
    clerk = client_as("customer_service")
    form = clerk.get(url(home, "take/")).context["form"]

    response = clerk.post(
        url(home, "take/"), {"amount": "275.84", "on": "2026-11-13", "decision": decision.pk}
    )

    assert (form["decision"].value(), form["amount"].value()) == (decision.pk, D("275.84"))
    assert response.status_code == 302
    deposit = Deposit.objects.get(account=home)
    assert (deposit.status, deposit.amount, deposit.held_on, deposit.decision_id) == (
        DepositStatus.HELD,
        D("275.84"),
        TODAY,
        decision.pk,
    )
    receipt = DepositReceipt.objects.get(deposit=deposit)
    assert (receipt.language, receipt.issued_on) == ("ES", TODAY)
    assert gl("235") == D("275.84") and trial_balance().balanced
    card = account_card(clerk, home, "deposits")
    assert f"Deposit {deposit.pk}: <strong>$275.84</strong> — Held" in card
    assert (
        f'href="/deposit-receipts/{receipt.pk}.pdf"' in card and "Spanish 2026-11-13 (PDF)" in card
    )


def test_a_deposit_of_nothing_is_refused_by_the_service(client_as, home):
    entries = JournalEntry.objects.count()

    response = client_as("customer_service").post(
        url(home, "take/"), {"amount": "0", "on": "2026-11-13"}
    )

    assert field_errors(response, "amount") == ["a deposit is a positive amount in whole cents"]
    assert Deposit.objects.count() + DepositReceipt.objects.count() == 0
    assert JournalEntry.objects.count() == entries


def test_a_billed_deposit_is_an_open_charge_until_paid(client_as, home):
    clerk = client_as("customer_service")

    response = clerk.post(url(home, "bill/"), {"amount": "100.00", "on": "2026-11-13"})

    assert response.status_code == 302
    deposit = Deposit.objects.get(account=home)
    assert (deposit.status, deposit.billed_on) == (DepositStatus.BILLED, TODAY)
    item = deposit.billed_item
    assert (item.category, item.amount, item.status, item.gl_account) == (
        ItemCategory.DEPOSIT,
        D("100.00"),
        ItemStatus.OPEN,
        "142.2",
    )
    assert gl("235") == D("100.00") and trial_balance().balanced
    assert f"Deposit {deposit.pk}: <strong>$100.00</strong> — Billed, not yet paid" in (
        account_card(clerk, home, "deposits")
    )


def test_a_bill_for_nothing_is_refused_and_writes_nothing(client_as, home):
    response = client_as("customer_service").post(
        url(home, "bill/"), {"amount": "0.00", "on": "2026-11-13"}
    )

    assert field_errors(response, "amount") == ["at least $0.01"]
    assert Deposit.objects.count() == 0
    assert not ReceivableItem.objects.filter(category=ItemCategory.DEPOSIT).exists()


# --- guarantors -------------------------------------------------------------------------------

GUARANTOR = {
    "name": "Lucia Baca",
    "mailing_address": "PO Box 55\nTularosa NM 88352",
    "phone": "575-585-0101",
    "amount": "275.84",
    "starts_on": "2026-11-13",
}


def test_a_guarantor_is_recorded_in_place_of_a_deposit(client_as, home):
    clerk = client_as("customer_service")

    response = clerk.post(url(home, "guarantors/new/"), GUARANTOR)

    assert response.status_code == 302
    made = Guarantor.objects.get(account=home)
    assert (made.amount, made.starts_on, made.next_review_on) == (
        D("275.84"),
        TODAY,
        date(2027, 11, 13),
    )
    card = account_card(clerk, home, "deposits")
    assert "<td>Lucia Baca, PO Box 55<br>Tularosa NM 88352, 575-585-0101</td>" in card
    assert "<td>$275.84</td><td>2026-11-13</td>" in card and "In force, review 2027-11-13" in card


def test_a_guarantor_needs_a_name_and_address(client_as, home):
    response = client_as("customer_service").post(
        url(home, "guarantors/new/"), {**GUARANTOR, "mailing_address": " "}
    )

    assert field_errors(response, "name") == ["a guarantor needs a name and a mailing address"]
    assert Guarantor.objects.count() == 0


# --- refunds and the excess (finance) -------------------------------------------------------


def test_finance_refunds_a_held_deposit_now_by_credit_and_check(client_as, home, rates):
    deposit = take_deposit(account=home, amount=D("200.00"), on=A_YEAR_AGO)
    cashier = client_as("finance")

    response = cashier.post(
        url(home, f"{deposit.pk}/refund/"), {"on": "2026-11-13", "by_check": "on"}
    )

    assert response.status_code == 302
    deposit.refresh_from_db()
    # 49 days at 2% and 316 days at 3% on $200: $5.7315 -> $5.73; the open bill is paid
    # ($183.89) and the other $21.84 mailed
    assert (deposit.status, deposit.interest_amount, deposit.check_mailed_on) == (
        DepositStatus.REFUNDED,
        D("5.73"),
        TODAY,
    )
    assert [(e.kind, e.amount) for e in deposit.events.exclude(kind=EventKind.RECEIPT)] == [
        (EventKind.RECEIVED, D("200.00")),
        (EventKind.INTEREST, D("5.73")),
        (EventKind.CREDITED, D("183.89")),
        (EventKind.CHECK, D("21.84")),
    ]
    assert not ReceivableItem.objects.filter(account=home, status=ItemStatus.OPEN).exists()
    assert gl("235") == D("0.00") and trial_balance().balanced
    card = account_card(cashier, home, "deposits")
    assert "— Refunded" in card and "2026-11-13 Refund check mailed $21.84" in card


def test_a_deposit_not_held_is_not_refunded(client_as, home, rates):
    billed = bill_deposit(account=home, amount=D("100.00"), on=TODAY)
    neighbour = Account.objects.exclude(pk=home.pk).first()
    elsewhere = take_deposit(account=neighbour, amount=D("50.00"), on=TODAY)
    cashier = client_as("finance")

    refused = cashier.post(url(home, f"{billed.pk}/refund/"), {"on": "2026-11-13"})
    other_account = cashier.get(url(home, f"{elsewhere.pk}/refund/"))

    assert refused.status_code == 200
    assert refused.context["form"].non_field_errors() == [f"deposit {billed.pk} is not held"]
    assert [e.kind for e in billed.events.all()] == [EventKind.BILLED]
    assert other_account.status_code == 404


def test_finance_pays_the_excess_a_member_asks_for(client_as, home, rates):
    deposit = take_deposit(account=home, amount=D("200.00"), on=A_YEAR_AGO)
    refund_deposit(deposit, on=TODAY)  # $183.89 to the bill, $21.84 kept as credit
    cashier = client_as("finance")

    response = cashier.post(url(home, f"{deposit.pk}/excess/"), {"on": "2026-11-14"})

    assert response.status_code == 302
    deposit.refresh_from_db()
    assert (deposit.status, deposit.credit_remaining_amount) == (DepositStatus.REFUNDED, D(0))
    assert deposit.events.get(kind=EventKind.CHECK).amount == D("21.84")
    assert gl("235") == D("0.00") and trial_balance().balanced


def test_an_excess_of_ten_dollars_or_less_is_not_paid_on_request(client_as, home, rates):
    deposit = take_deposit(account=home, amount=D("185.00"), on=A_YEAR_AGO)
    refund_deposit(deposit, on=TODAY)  # $185 + $5.30 interest - $183.89 = $6.41 kept

    response = client_as("finance").post(url(home, f"{deposit.pk}/excess/"), {"on": "2026-11-14"})

    assert response.context["form"].non_field_errors() == [
        "the excess over the current bill is $6.41: refunded on request only when over $10.00"
    ]
    deposit.refresh_from_db()
    assert (deposit.status, deposit.credit_remaining_amount) == (
        DepositStatus.CREDITING,
        D("6.41"),
    )
    assert not deposit.events.filter(kind=EventKind.CHECK).exists()


# --- who may --------------------------------------------------------------------------------


def test_read_only_may_not_open_or_post_any_deposit_form(client_as, home):
    deposit = take_deposit(account=home, amount=D("100.00"), on=TODAY)
    forms = {
        "decisions/new/": {"event": "APPLICATION", "on": "2026-11-13"},
        "take/": {"amount": "100.00", "on": "2026-11-13"},
        "bill/": {"amount": "100.00", "on": "2026-11-13"},
        "guarantors/new/": GUARANTOR,
        f"{deposit.pk}/refund/": {"on": "2026-11-13", "by_check": "on"},
        f"{deposit.pk}/excess/": {"on": "2026-11-13"},
    }
    viewer = client_as("read_only")

    for path, data in forms.items():
        assert viewer.get(url(home, path)).status_code == 403, path
        assert viewer.post(url(home, path), data).status_code == 403, path

    assert CreditDecision.objects.count() + Guarantor.objects.count() == 0
    assert list(Deposit.objects.values_list("status", "excess_requested")) == [
        (DepositStatus.HELD, False)
    ]


def test_customer_service_may_not_refund_or_pay_the_excess(client_as, home):
    deposit = take_deposit(account=home, amount=D("100.00"), on=TODAY)
    events = DepositEvent.objects.count()
    clerk = client_as("customer_service")

    for path in (f"{deposit.pk}/refund/", f"{deposit.pk}/excess/"):
        assert clerk.get(url(home, path)).status_code == 403, path
        assert clerk.post(url(home, path), {"on": "2026-11-13"}).status_code == 403, path

    deposit.refresh_from_db()
    assert (deposit.status, deposit.excess_requested) == (DepositStatus.HELD, False)
    assert DepositEvent.objects.count() == events


COUNTER = ("Decide deposit", "Take deposit", "Bill deposit", "Add guarantor")
MONEY_OUT = ("Refund now", "Member asks for the excess")


@pytest.mark.parametrize(
    ("role", "shown"),
    [
        ("read_only", ()),
        ("customer_service", COUNTER),
        ("finance", MONEY_OUT),
        ("manager", COUNTER + MONEY_OUT),
    ],
)
def test_the_buttons_show_only_to_roles_that_may_use_them(client_as, home, role, shown):
    take_deposit(account=home, amount=D("100.00"), on=TODAY)

    card = account_card(client_as(role), home, "deposits")

    for label in COUNTER + MONEY_OUT:
        assert (label in card) is (label in shown), label
