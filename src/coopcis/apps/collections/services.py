"""Collections: protections, notices and the records staff keep (docs/domain/collections.md).

The daily job is in :mod:`.run`, field orders in :mod:`.orders`. This module gathers what
the core needs to decide (the profile's terms, the New Mexico calendar, the protection
facts of a case) and records what staff receive: certificates, agreements, disputes,
holds, LIHEAP qualification and third parties. Recording a protection cancels any open
non-payment disconnect order at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal
from typing import Any

import holidays
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import QuerySet

from coopcis.apps.audit.context import current_actor
from coopcis.apps.billing.models import Bill
from coopcis.apps.collections.models import (
    Agreement,
    AgreementInstallment,
    AgreementKind,
    AgreementStatus,
    CollectionCase,
    CoopHold,
    Dispute,
    DisputeStatus,
    LiheapQualification,
    MedicalCertificate,
    OrderKind,
    OrderReason,
    OrderStatus,
    Profession,
    ServiceOrder,
    ThirdPartyContact,
)
from coopcis.apps.credit.history import paid_in_full_on
from coopcis.apps.members.models import Account, RateClass
from coopcis.apps.payments.models import Payment, PaymentStatus
from coopcis.apps.receivables.models import ItemCategory, ItemStatus, ReceivableItem
from coopcis.catalog.profiles import CoOpProfile, active_profile
from coopcis.core.collections import agreements as plan
from coopcis.core.collections import rules
from coopcis.core.collections.calendar import WorkCalendar
from coopcis.core.collections.steps import CollectionTerms
from coopcis.core.errors import RuleViolation
from coopcis.core.money import Money
from coopcis.core.phones import phone_problem


def terms(profile: CoOpProfile | None = None) -> CollectionTerms:
    """The profile's ``[collections]`` parameters as the core's terms."""
    settings = (profile or active_profile()).collections
    return CollectionTerms(
        second_notice_after_due_days=int(settings.get("second_notice_after_due_days", 1)),  # type: ignore[call-overload]
        second_notice_pay_within_days=int(settings.get("second_notice_pay_within_days", 10)),  # type: ignore[call-overload]
        final_contact_days_before=int(settings.get("final_contact_days_before", 3)),  # type: ignore[call-overload]
        notice_valid_days=int(settings.get("notice_valid_days", 30)),  # type: ignore[call-overload]
        minimum_past_due=Money.of(str(settings.get("minimum_past_due", "0.01"))),
    )


def setting(name: str, default: object) -> object:
    return active_profile().collections.get(name, default)


def work_calendar(*, around: date) -> WorkCalendar:
    """Weekdays that are not New Mexico holidays (``holidays``, subdivision NM), within the
    profile's business hours."""
    years = range(around.year - 1, around.year + 2)
    days = frozenset(holidays.country_holidays("US", subdiv="NM", years=years).keys())
    opens, closes = (time.fromisoformat(t) for t in setting("business_hours", ["08:00", "16:00"]))  # type: ignore[attr-defined]
    return WorkCalendar(
        holidays=days,
        opens=opens,
        closes=closes,
        avoid_day_before_closed=bool(setting("avoid_disconnect_before_closed_day", True)),
    )


# ---- amounts -----------------------------------------------------------------------------------


def past_due_amount(account: Account, *, as_of: date) -> Money:
    """Open charges due before ``as_of`` (a billed deposit is not "past due" for collection)."""
    items = ReceivableItem.objects.filter(
        account=account, status=ItemStatus.OPEN, due_on__lt=as_of
    ).exclude(category=ItemCategory.DEPOSIT)
    return sum((Money(item.open_amount) for item in items), Money.zero())


def latest_payment_id(account: Account) -> int:
    latest = Payment.objects.filter(account=account).order_by("-pk").values_list("pk", flat=True)
    return latest.first() or 0


def payments_since(order: ServiceOrder) -> list[Payment]:
    """Posted payments of the order's account made after the order was generated."""
    return list(
        Payment.objects.filter(
            account_id=order.account_id,
            status=PaymentStatus.POSTED,
            pk__gt=order.latest_payment_id,
        ).order_by("pk")
    )


# ---- protections -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Protection:
    code: str
    detail: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "detail": self.detail}


def refresh_agreements(account: Account, *, as_of: date) -> list[Agreement]:
    """Judge each agreement still being kept; returns the ones found broken now."""
    broken = []
    for agreement in Agreement.objects.filter(account=account, status=AgreementStatus.KEPT):
        standing = agreement_standing(agreement, as_of=as_of)
        if standing.status == plan.BROKEN:
            agreement.status = AgreementStatus.BROKEN
            agreement.broken_on = standing.broken_on
            agreement.shortfall_amount = standing.shortfall.amount
            agreement.save(update_fields=["status", "broken_on", "shortfall_amount"])
            broken.append(agreement)
        elif standing.status == plan.COMPLETED:
            agreement.status = AgreementStatus.COMPLETED
            agreement.save(update_fields=["status"])
    return broken


def agreement_standing(agreement: Agreement, *, as_of: date) -> plan.Standing:
    installments = [
        plan.Installment(row.due_on, Money(row.amount)) for row in agreement.installments.all()
    ]
    new_bills = [
        plan.Installment(item.due_on, Money(item.amount))
        for item in ReceivableItem.objects.filter(
            account_id=agreement.account_id,
            category=ItemCategory.ELECTRIC,
            posted_on__gt=agreement.made_on,
        ).exclude(status=ItemStatus.VOID)
    ]
    payments = [
        (payment.received_on, Money(payment.amount))
        for payment in Payment.objects.filter(
            account_id=agreement.account_id,
            status=PaymentStatus.POSTED,
            received_on__gte=agreement.made_on,
        )
    ]
    return plan.agreement_standing(
        installments=installments,
        new_bills=new_bills,
        payments=payments,
        as_of=as_of,
        grace_days=int(setting("agreement_grace_days", 0)),  # type: ignore[call-overload]
    )


def _past_due_on(account: Account, day: date) -> bool:
    """Whether the account had charges past due on ``day`` (unpaid then)."""
    items = ReceivableItem.objects.filter(account=account, due_on__lt=day).exclude(
        status=ItemStatus.VOID
    )
    for item in items.exclude(category=ItemCategory.DEPOSIT):
        paid_on = paid_in_full_on(item) if item.status == ItemStatus.PAID else None
        if paid_on is None or paid_on > day:
            return True
    return False


def active_hold(account: Account, as_of: date) -> CoopHold | None:
    holds = CoopHold.objects.filter(account=account, placed_on__lte=as_of).order_by("placed_on")
    for hold in holds:
        if (hold.released_on is None or hold.released_on > as_of) and (
            hold.until is None or hold.until >= as_of
        ):
            return hold
    return None


def maybe_protected(accounts: QuerySet[Any, Any], as_of: date) -> set[int]:
    """Of ``accounts`` (a query of account ids), those with anything on record that could
    protect them as of ``as_of``; :func:`find_protections` finds none for the others (every
    protection in ``rules.protections`` needs one of these records)."""
    found: set[int] = set()
    for records in (
        MedicalCertificate.objects.filter(received_on__lte=as_of),
        Agreement.objects.filter(status=AgreementStatus.KEPT, made_on__lte=as_of),
        Dispute.objects.filter(status=DisputeStatus.INVESTIGATING, opened_on__lte=as_of),
        CoopHold.objects.filter(placed_on__lte=as_of),
        LiheapQualification.objects.filter(qualified_on__lte=as_of),
    ):
        found.update(records.filter(account_id__in=accounts).values_list("account_id", flat=True))
    return found


def find_protections(
    case: CollectionCase, *, as_of: date, disconnect_on: date | None = None
) -> list[Protection]:
    """Every protection that stops disconnecting the case's account, each saying why."""
    account = case.account
    scheduled = disconnect_on or case.disconnect_on or as_of
    work_on = max(scheduled, as_of)
    certificates = list(MedicalCertificate.objects.filter(account=account, received_on__lte=as_of))
    kept = Agreement.objects.filter(
        account=account, status=AgreementStatus.KEPT, made_on__lte=as_of
    ).first()
    disputes = list(
        Dispute.objects.filter(
            account=account, status=DisputeStatus.INVESTIGATING, opened_on__lte=as_of
        )
    )
    hold = active_hold(account, as_of)
    season = rules.winter_start(work_on)
    liheap = LiheapQualification.objects.filter(
        account=account, season_start=season, qualified_on__lte=as_of
    ).first()
    facts = rules.ProtectionFacts(
        disconnect_on=scheduled,
        work_on=work_on,
        bill_id=case.bill_id,
        residential=account.rate_class == RateClass.RESIDENTIAL,
        certificates=tuple(
            rules.MedicalCertificate(
                received_on=c.received_on,
                profession=c.profession,
                billing_bill_id=c.bill_id,
                affidavit_of_inability=c.affidavit_of_inability,
            )
            for c in certificates
        ),
        liheap_qualified=liheap is not None,
        past_due_on_winter_start=liheap is not None and _past_due_on(account, season),
        agreement_kept=kept is not None,
        disputed_under_investigation=bool(disputes),
        co_op_hold=hold.reason if hold else "",
    )
    details = {
        rules.MEDICAL: lambda: _medical_detail(certificates, case),
        rules.WINTER: lambda: (
            f"winter moratorium {season} to March 15: LIHEAP-qualified ({liheap.reference or 'no reference'}) "  # type: ignore[union-attr]
            + ("and keeping an agreement" if kept else f"with nothing past due on {season}")
        ),
        rules.AGREEMENT: lambda: f"{kept.get_kind_display().lower()} of {kept.made_on} being kept",  # type: ignore[union-attr]
        rules.DISPUTE: lambda: "; ".join(
            f"${d.amount} disputed since {d.opened_on}: {d.description}" for d in disputes
        ),
        rules.HOLD: lambda: f"co-op hold since {hold.placed_on}: {hold.reason}",  # type: ignore[union-attr]
    }
    return [Protection(code, details[code]()) for code in rules.protections(facts)]


def _medical_detail(certificates: list[MedicalCertificate], case: CollectionCase) -> str:
    valid = [c for c in certificates if c.bill_id == case.bill_id and c.affidavit_of_inability]
    certificate = valid[-1]
    return (
        f"seriously-ill certificate by {certificate.certifier_name} "
        f"({certificate.get_profession_display().lower()}) received {certificate.received_on} "
        f"for bill {certificate.bill_id}, with the affidavit of inability to pay"
    )


def certificate_protects(
    certificate: MedicalCertificate, case: CollectionCase, *, as_of: date
) -> bool:
    """Whether this seriously-ill certificate stops disconnecting ``case`` (policy 422), by
    the rule the daily job applies: a licensed certifier, the affidavit, the case's bill,
    received by ``as_of`` and at least 2 days before the notice's date; residential only."""
    if certificate.received_on > as_of:
        return False
    facts = rules.ProtectionFacts(
        disconnect_on=case.disconnect_on or as_of,
        bill_id=case.bill_id,
        residential=case.account.rate_class == RateClass.RESIDENTIAL,
        certificates=(
            rules.MedicalCertificate(
                received_on=certificate.received_on,
                profession=certificate.profession,
                billing_bill_id=certificate.bill_id,
                affidavit_of_inability=certificate.affidavit_of_inability,
            ),
        ),
    )
    return rules.MEDICAL in rules.protections(facts)


def _open_case(account: Account) -> CollectionCase | None:
    return CollectionCase.objects.filter(account=account, closed_on__isnull=True).first()


def cancel_disconnect_orders(account: Account, *, on: date, reason: str) -> int:
    """Cancel the account's open non-payment disconnect orders (a protection, a payment)."""
    orders = ServiceOrder.objects.filter(
        account=account,
        kind=OrderKind.DISCONNECT,
        reason=OrderReason.NON_PAYMENT,
        status=OrderStatus.OPEN,
    )
    count = 0
    for order in orders.select_related("case"):
        order.status = OrderStatus.CANCELLED
        order.cancelled_on = on
        order.cancel_reason = reason[:300]
        order.save(update_fields=["status", "cancelled_on", "cancel_reason"])
        if order.case is not None:
            order.case.stage = "FINAL_CONTACT"
            order.case.save(update_fields=["stage"])
        count += 1
    return count


def _protect_now(account: Account, on: date, what: str) -> None:
    cancel_disconnect_orders(account, on=on, reason=f"protection recorded: {what}")


# ---- what staff record -------------------------------------------------------------------------


@transaction.atomic
def record_certificate(
    *,
    account: Account,
    bill: Bill,
    received_on: date,
    profession: str,
    certifier_name: str,
    license_number: str,
    ill_person: str,
    affidavit_of_inability: bool,
) -> MedicalCertificate:
    """Policy 422: record a seriously-ill certificate for one billing."""
    if profession not in Profession.values:
        raise RuleViolation(
            "the certificate must be signed by a licensed physician, dentist, osteopath or "
            "chiropractor",
            field="profession",
        )
    if bill.account_id != account.pk:
        raise RuleViolation(f"bill {bill.pk} is not account {account.number}'s", field="bill")
    certificate = MedicalCertificate.objects.create(
        account=account,
        bill=bill,
        received_on=received_on,
        profession=profession,
        certifier_name=certifier_name,
        license_number=license_number,
        ill_person=ill_person,
        affidavit_of_inability=affidavit_of_inability,
    )
    case = _open_case(account)
    if case is not None and find_protections(case, as_of=received_on):
        _protect_now(account, received_on, "seriously-ill certificate")
    return certificate


@transaction.atomic
def record_liheap(
    *, account: Account, qualified_on: date, reference: str = ""
) -> LiheapQualification:
    """The member qualified for LIHEAP for the heating season ``qualified_on`` falls in (or
    the coming one, when qualified before November 15)."""
    season = rules.winter_start(qualified_on)
    if not rules.in_winter_moratorium(qualified_on):
        season = date(qualified_on.year, 11, 15)
    qualification, _ = LiheapQualification.objects.get_or_create(
        account=account,
        season_start=season,
        defaults={"qualified_on": qualified_on, "reference": reference},
    )
    case = _open_case(account)
    if case is not None and find_protections(case, as_of=qualified_on):
        _protect_now(account, qualified_on, "winter moratorium")
    return qualification


@transaction.atomic
def make_agreement(
    *,
    account: Account,
    kind: str,
    made_on: date,
    down_payment_amount: Decimal,
    installments: int,
    first_due_on: date,
    total_amount: Decimal | None = None,
    every_days: int = 30,
    terms_text: str = "",
    including_not_yet_due: bool = False,
) -> Agreement:
    """An installment or settlement agreement for the account's past-due amount on the day
    it is made (open charges due before ``made_on``), with its schedule;
    ``including_not_yet_due`` takes in the open charges not yet due too (a member who asks,
    before the due date, to spread a bill they cannot pay by then).

    The amount comes from the account, never from what someone typed: ``total_amount``,
    when given (the CLI's ``--total``), must be that amount to the cent.
    """
    if kind not in AgreementKind.values:
        raise RuleViolation(f"unknown agreement kind {kind!r}", field="kind")
    covered_before = date.max if including_not_yet_due else made_on
    past_due = past_due_amount(account, as_of=covered_before).amount
    if total_amount is not None and total_amount != past_due:
        raise RuleViolation(
            f"the account's past-due amount on {made_on} is ${past_due}, not ${total_amount}",
            field="total_amount",
        )
    if past_due <= 0:
        raise RuleViolation(f"nothing on the account is past due on {made_on}", field="made_on")
    total_amount = past_due
    if first_due_on <= made_on:
        raise RuleViolation(
            "the first installment is due after the agreement is made", field="first_due_on"
        )
    try:
        schedule = plan.installment_schedule(
            total_amount=Money(total_amount),
            down_payment=Money(down_payment_amount),
            count=installments,
            made_on=made_on,
            first_due_on=first_due_on,
            every_days=every_days,
        )
    except ValueError as error:
        raise RuleViolation(str(error), field="installments") from None
    text = terms_text or (
        f"{AgreementKind(kind).label}: ${total_amount} past due, ${down_payment_amount} down, "
        f"{installments} payment(s) every {every_days} days from {first_due_on}, and each new "
        "bill paid by its due date. A missed payment breaks the agreement and collection resumes."
    )
    agreement = Agreement.objects.create(
        account=account,
        kind=kind,
        made_on=made_on,
        total_amount=total_amount,
        down_payment_amount=down_payment_amount,
        terms=text,
    )
    AgreementInstallment.objects.bulk_create(
        AgreementInstallment(agreement=agreement, due_on=row.due_on, amount=row.amount.amount)
        for row in schedule
    )
    _protect_now(account, made_on, f"{AgreementKind(kind).label.lower()} made")
    return agreement


@transaction.atomic
def open_dispute(
    *,
    account: Account,
    amount: Decimal,
    opened_on: date,
    description: str,
    bill: Bill | None = None,
) -> Dispute:
    """Policy 409: a disputed amount is investigated; no disconnection meanwhile. A dispute
    of one bill is for no more than that bill's total, and the bill is the account's."""
    if amount <= 0:
        raise RuleViolation("the disputed amount must be more than zero", field="amount")
    if bill is not None and bill.account_id != account.pk:
        raise RuleViolation(f"bill {bill.number} is not on this account", field="bill")
    if bill is not None and amount > bill.total_amount:
        raise RuleViolation(
            f"the disputed amount ${amount} is more than bill {bill.number}'s ${bill.total_amount}",
            field="amount",
        )
    if not description.strip():
        raise RuleViolation("say what is disputed", field="description")
    dispute = Dispute.objects.create(
        account=account, amount=amount, opened_on=opened_on, description=description, bill=bill
    )
    _protect_now(account, opened_on, "dispute under investigation")
    return dispute


def resolve_dispute(dispute: Dispute, *, on: date, resolution: str) -> Dispute:
    if dispute.status != DisputeStatus.INVESTIGATING:
        raise RuleViolation(f"dispute {dispute.pk} is already resolved", field="dispute")
    dispute.status = DisputeStatus.RESOLVED
    dispute.resolved_on = on
    dispute.resolution = resolution[:300]
    dispute.save()
    return dispute


@transaction.atomic
def place_hold(*, account: Account, reason: str, on: date, until: date | None = None) -> CoopHold:
    if not reason.strip():
        raise RuleViolation("say why collection is held", field="reason")
    if until is not None and until < on:
        raise RuleViolation(f"the hold cannot end ({until}) before it starts ({on})", field="until")
    if on < account.opened_on:
        raise RuleViolation(
            f"the hold cannot start ({on}) before the account was opened ({account.opened_on})",
            field="on",
        )
    hold = CoopHold.objects.create(
        account=account, reason=reason, placed_on=on, until=until, placed_by=current_actor().label
    )
    _protect_now(account, on, f"co-op hold ({reason})")
    return hold


def release_hold(hold: CoopHold, *, on: date) -> CoopHold:
    if hold.released_on is not None:
        raise RuleViolation(f"hold {hold.pk} was released on {hold.released_on}", field="hold")
    if on < hold.placed_on:
        raise RuleViolation(f"hold {hold.pk} was placed on {hold.placed_on}", field="on")
    hold.released_on = on
    hold.save(update_fields=["released_on"])
    return hold


def name_third_party(
    *,
    account: Account,
    name: str,
    mailing_address: str,
    named_on: date,
    phone: str = "",
    email: str = "",
) -> ThirdPartyContact:
    """The member names someone to receive copies of disconnection notices: by post always,
    and by email too when an address is given."""
    if not name.strip() or not mailing_address.strip():
        raise RuleViolation("a third party needs a name and a mailing address", field="name")
    if (problem := phone_problem(phone)) is not None:
        raise RuleViolation(problem, field="phone")
    email = email.strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise RuleViolation(f"not an email address: {email!r}", field="email") from None
    ThirdPartyContact.objects.filter(account=account, active=True).update(active=False)
    return ThirdPartyContact.objects.create(
        account=account,
        name=name,
        mailing_address=mailing_address,
        phone=phone,
        email=email,
        named_on=named_on,
    )
