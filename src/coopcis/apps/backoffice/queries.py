"""Read side of the back office: account search and everything the account page shows.

Reads only; every change goes through the apps' service functions. Query counts are
bounded: the search is one query per page however many accounts match, and the
account page a fixed number of queries however long the account's history.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import (
    Case,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)

from coopcis.apps.audit.models import AuditEvent
from coopcis.apps.backoffice.deposit_records import deposit_flags
from coopcis.apps.backoffice.protections import record_flags
from coopcis.apps.billing.models import Bill
from coopcis.apps.ledger.services import member_balance
from coopcis.apps.members.models import (
    Account,
    BankDraftMandate,
    Membership,
    ServiceApplication,
)
from coopcis.apps.metering.models import Meter, MeterInstallation
from coopcis.apps.payments.models import Payment, PaymentApplication, PaymentStatus
from coopcis.apps.premises.models import Premise, ServiceAgreement, ServicePoint
from coopcis.apps.receivables.models import ItemStatus, ReceivableItem
from coopcis.core.search import query_words

PHONE_CHARACTERS = re.compile(r"^[\d\s().+\-]+$")
#: A phone search needs this many digits, so "12" does not match half the co-op.
PHONE_MIN_DIGITS = 4
HISTORY_LIMIT = 200
#: Bills on the account page: two years of monthly bills for a few service points.
BILLS_LIMIT = 60
#: Payments on the account page: about two years of monthly payments.
PAYMENTS_LIMIT = 30


def normalize_query(text: str) -> str:
    return " ".join(text.split())


def _prefix_range(query: str) -> tuple[str, str] | None:
    """``(low, high)`` such that ``low <= value <= high`` holds for every value starting
    with ``query`` (upper-cased letters and digits): an index range scan on any database,
    where ``LIKE 'x%'`` is one only on some."""
    prefix = query.upper()
    if not prefix.isascii() or not prefix.isalnum():
        return None
    return prefix, prefix + "Z" * 30  # longer than any number or serial (max 30)


def search_accounts(text: str) -> QuerySet[Account]:
    """Accounts matching ``text``, best first, in one query per page (core/search.py).

    Every word typed must start a word of what it finds, accents and case aside:
    - account number: exact, or its first digits;
    - party name: every word ("maria baca" and "Ramon" find "Baca, María" and "Ramón");
    - meter serial: the start of any meter ever installed where the account had service;
    - address: every word in one service address, or in the mailing street, with street
      suffixes and directions in either spelling ("Road" finds "Rd");
    - phone: the account's or the party's, digit by digit.
    Ranked: the exact number, then number prefixes, then names, then meter serials, then
    addresses and phones; alphabetical within each.
    """
    query = normalize_query(text)
    words = query_words(query)
    if not words:
        return Account.objects.none()
    name = Q()
    premise = Q()
    mailing = Q()
    for word in words:
        name &= Q(party__search_name__contains=f" {word}")
        premise &= Q(search_text__contains=f" {word}")
        mailing &= Q(mailing_search__contains=f" {word}")
    # premises first: one scan of the folded addresses, then their agreements by index
    premises = Premise.objects.filter(premise).values("pk")
    by_address = ServiceAgreement.objects.filter(service_point__premise__in=premises).values(
        "account_id"
    )
    number = Q(number=query)
    number_prefix = by_serial = Q(pk__in=[])
    if (prefix := _prefix_range(query)) is not None:
        number_prefix = Q(number__range=prefix)
        meters = Meter.objects.filter(serial__range=prefix).values("pk")
        by_serial = Q(
            pk__in=ServiceAgreement.objects.filter(
                service_point__installations__meter__in=meters
            ).values("account_id")
        )
    condition = number | number_prefix | name | by_serial | Q(pk__in=by_address) | mailing
    digits = re.sub(r"\D", "", query)
    if PHONE_CHARACTERS.match(query) and len(digits) >= PHONE_MIN_DIGITS:
        condition |= Q(phone_digits__contains=digits) | Q(party__phone_digits__contains=digits)
    accounts = Account.objects.all()
    rank = Case(
        When(number, then=Value(0)),
        When(number_prefix, then=Value(1)),
        When(name, then=Value(2)),
        When(by_serial, then=Value(3)),
        default=Value(4),
        output_field=IntegerField(),
    )
    return (
        accounts.filter(condition)
        .annotate(search_rank=rank)
        .select_related("party")
        .prefetch_related(
            Prefetch(
                "agreements",
                queryset=ServiceAgreement.objects.select_related("service_point__premise").order_by(
                    "-start_on"
                ),
            )
        )
        .order_by("search_rank", "party__display_name", "number")
    )


def exact_account_number(text: str) -> str | None:
    """The account to go straight to: an exact account number, or the one account whose
    service points have had the meter with exactly this serial."""
    query = normalize_query(text)
    if not query or " " in query:
        return None
    if Account.objects.filter(number=query).exists():
        return query
    numbers = list(
        ServiceAgreement.objects.filter(service_point__installations__meter__serial__iexact=query)
        .values_list("account__number", flat=True)
        .distinct()[:2]
    )
    return numbers[0] if len(numbers) == 1 else None


def service_address(account: Account) -> str:
    """The address of the account's latest agreement (uses prefetched agreements)."""
    agreements = list(account.agreements.all())
    if not agreements:
        return ""
    latest = max(agreements, key=lambda agreement: (agreement.end_on is None, agreement.start_on))
    return latest.service_point.premise.address.one_line()


@dataclass
class PremiseView:
    premise: Premise
    service_points: list[ServicePoint] = field(default_factory=list)


@dataclass
class AccountOverview:
    """Everything the account page shows, loaded in a fixed number of queries."""

    account: Account
    membership: Membership | None
    bank_draft: BankDraftMandate | None
    agreements: list[ServiceAgreement]
    premises: list[PremiseView]
    installations: dict[int, list[MeterInstallation]]
    applications: list[ServiceApplication]
    history: list[AuditEvent]
    bills: list[Bill] = field(default_factory=list)
    balance: Decimal = Decimal(0)
    payments: list[Payment] = field(default_factory=list)
    open_items: list[ReceivableItem] = field(default_factory=list)
    #: Taken at the counter into batches still open: posted when the drawer closes.
    pending_amount: Decimal = Decimal(0)

    @property
    def balance_after_pending(self) -> Decimal:
        return self.balance - self.pending_amount

    @property
    def service_points(self) -> list[ServicePoint]:
        return [point for view in self.premises for point in view.service_points]

    @property
    def installed_meters(self) -> list[MeterInstallation]:
        return [
            installation
            for installations in self.installations.values()
            for installation in installations
            if installation.removed_on is None
        ]


def _reverse_one(instance: Any, name: str) -> Any:
    try:
        return getattr(instance, name)
    except ObjectDoesNotExist:  # a reverse one-to-one with no row
        return None


def load_account(number: str) -> AccountOverview | None:
    """The account with this number and everything around it, or None if there is none."""
    account = (
        Account.objects.select_related("party", "party__membership", "bank_draft")
        .annotate(**record_flags(), **deposit_flags(), pending_total=pending_payments())
        .filter(number=number)
        .first()
    )
    if account is None:
        return None
    membership = _reverse_one(account.party, "membership")
    if membership is not None:
        membership.loaded_events = list(membership.events.all())
    agreements = list(
        account.agreements.select_related("service_point__premise").order_by("start_on", "id")
    )
    premises: dict[int, PremiseView] = {}
    for agreement in agreements:
        point = agreement.service_point
        view = premises.setdefault(point.premise_id, PremiseView(point.premise))
        if point not in view.service_points:
            view.service_points.append(point)
    installations: dict[int, list[MeterInstallation]] = {}
    for installation in (
        MeterInstallation.objects.filter(
            service_point__in=[
                point.pk for view in premises.values() for point in view.service_points
            ]
        )
        .select_related("meter", "service_point")
        .order_by("installed_on", "id")
    ):
        installations.setdefault(installation.service_point_id, []).append(installation)
    for view in premises.values():
        for point in view.service_points:
            point.meter_history = installations.get(point.pk, [])
    applications = list(
        ServiceApplication.objects.filter(Q(account=account) | Q(party=account.party_id))
        .select_related("premise", "party")
        .prefetch_related("charges")
        .order_by("-submitted_on", "-id")
    )
    return AccountOverview(
        account=account,
        membership=membership,
        bank_draft=_reverse_one(account, "bank_draft"),
        agreements=agreements,
        premises=list(premises.values()),
        installations=installations,
        applications=applications,
        history=account_history(account, membership, applications),
        bills=account_bills(account),
        balance=member_balance(account).quantize(Decimal("0.01")),
        payments=account_payments(account),
        open_items=open_charges(account),
        pending_amount=(account.pending_total or Decimal(0)).quantize(Decimal("0.01")),
    )


def pending_payments() -> Subquery:
    """The account's payments waiting in open cashier batches (a subquery, no extra query)."""
    pending = (
        Payment.objects.filter(account=OuterRef("pk"), status=PaymentStatus.PENDING)
        .values("account")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Subquery(pending)


def account_payments(account: Account) -> list[Payment]:
    """The latest payments, newest first, each with the charges it paid (two queries)."""
    applications = PaymentApplication.objects.filter(released_on__isnull=True).select_related(
        "item"
    )
    return list(
        Payment.objects.filter(account=account)
        .prefetch_related(Prefetch("applications", queryset=applications.order_by("id")))
        .order_by("-received_on", "-id")[:PAYMENTS_LIMIT]
    )


def every_payment(account: Account) -> list[Payment]:
    """Every payment the account ever made, for the history timeline (one query; only
    the fields a history row shows)."""
    return list(
        Payment.objects.filter(account=account)
        .only(
            "amount", "channel", "tender", "reference", "received_at", "taken_by", "status",
            "reversal_reason",
        )
        .order_by("-received_at", "-id")
    )  # fmt: skip


def open_charges(account: Account) -> list[ReceivableItem]:
    """What the member owes, charge by charge, oldest due first (one query)."""
    return list(
        ReceivableItem.objects.filter(account=account, status=ItemStatus.OPEN).order_by(
            "due_on", "id"
        )
    )


def account_bills(account: Account) -> list[Bill]:
    """The account's latest bills, newest period first, with their service point (one query)."""
    return list(
        Bill.objects.filter(account=account)
        .select_related("service_point")
        .order_by("-period", "-id")[:BILLS_LIMIT]
    )


def account_history(
    account: Account, membership: Membership | None, applications: list[ServiceApplication]
) -> list[AuditEvent]:
    """Audit events of the account, its agreements and bank draft (tied by ``account_id``),
    its party, membership and the party's applications, newest first."""
    condition = Q(account_id=account.pk) | Q(model="members.party", object_pk=str(account.party_id))
    if membership is not None:
        condition |= Q(model="members.membership", object_pk=str(membership.pk))
    if applications:
        condition |= Q(
            model="members.serviceapplication",
            object_pk__in=[str(application.pk) for application in applications],
        )
    return list(AuditEvent.objects.filter(condition).order_by("-at", "-id")[:HISTORY_LIMIT])
