"""Every change to parties, memberships, accounts and applications goes through here.

Each function is one atomic change: it checks the rules, locks the rows it depends
on, writes, and (through the audited models) leaves an audit event. Refusals raise
:class:`coopcis.core.errors.RuleViolation` naming the field at fault.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

from coopcis.apps.members.models import (
    Account,
    ApplicationCharge,
    ApplicationStatus,
    ChargeKind,
    JointMember,
    Membership,
    MembershipEvent,
    MembershipEventKind,
    MembershipKind,
    MembershipStatus,
    Party,
    ServiceApplication,
)
from coopcis.catalog.profiles import active_profile
from coopcis.core.addresses import Address, address_problems
from coopcis.core.errors import RuleViolation
from coopcis.core.phones import phone_problem


def check_model(instance: models.Model, *, exclude: list[str] | None = None) -> None:
    """Run Django's field validation and raise the first problem as a RuleViolation."""
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise RuleViolation(
            " ".join(messages), field=None if field == "__all__" else field
        ) from None


#: Address parts -> the Account fields that hold them.
MAILING_FIELDS = {
    "line1": "mailing_line1",
    "city": "mailing_city",
    "state": "mailing_state",
    "zip_code": "mailing_zip",
}


def check_address(address: Address, *, field_names: dict[str, str] | None = None) -> None:
    """Refuse an address that cannot be mailed to, naming the model field at fault."""
    problems = address_problems(address)
    if problems:
        field, message = problems[0]
        raise RuleViolation(message, field=(field_names or {}).get(field, field))


def check_phone(text: str, *, field: str = "phone") -> str:
    """The phone number, stripped; refused when it is not one that can be dialled."""
    problem = phone_problem(text)
    if problem is not None:
        raise RuleViolation(problem, field=field)
    return text.strip()


def check_billing_cycle(number: int) -> None:
    """Refuse a billing cycle the co-op has not set up (``coopcis billing cycle N``)."""
    # looked up by name: billing builds on members, not the other way round
    cycles = django_apps.get_model("billing", "BillingCycle").objects
    if not cycles.filter(number=number).exists():
        known = ", ".join(
            str(n) for n in cycles.order_by("number").values_list("number", flat=True)
        )
        raise RuleViolation(
            f"there is no billing cycle {number}; the cycles are: {known or 'none set up'}",
            field="billing_cycle",
        )


def check_tariff_code(code: str) -> None:
    """Refuse a tariff code that is not in the catalog, listing the ones that are."""
    from coopcis.catalog.tariffs import tariff_codes

    codes = tariff_codes()
    if code not in codes:
        raise RuleViolation(
            f"unknown tariff {code!r}; valid: {', '.join(codes)}", field="tariff_code"
        )


def _next_number(model: type[models.Model], field: str, start: int) -> str:
    latest = model.objects.order_by(f"-{field}").values_list(field, flat=True).first()  # type: ignore[attr-defined]
    return str(max(int(latest) + 1, start) if latest and str(latest).isdigit() else start)


@transaction.atomic
def create_party(**fields: Any) -> Party:
    """Record a person (first and last name) or an organization (name and kind)."""
    party = Party(**fields)
    party.phone = check_phone(party.phone)
    if party.kind == "PERSON" and not party.last_name.strip():
        raise RuleViolation("a person needs a last name", field="last_name")
    if party.kind == "ORGANIZATION" and not party.organization_name.strip():
        raise RuleViolation("an organization needs a name", field="organization_name")
    check_model(party)
    party.save()
    return party


@transaction.atomic
def enroll_membership(*, party: Party, kind: str, joined_on: date, number: str = "") -> Membership:
    """Start the party's one membership (or non-member service). A second one is refused."""
    Party.objects.select_for_update().get(pk=party.pk)
    existing = Membership.objects.filter(party=party).first()
    if existing is not None:
        raise RuleViolation(
            f"{party} already has membership {existing.number}; one membership per person",
            field="party",
        )
    membership = Membership(
        party=party,
        kind=kind,
        joined_on=joined_on,
        number=number or _next_number(Membership, "number", 100001),
    )
    check_model(membership, exclude=["party"])
    membership.save()
    MembershipEvent.objects.create(
        membership=membership, kind=MembershipEventKind.JOINED, on=joined_on
    )
    return membership


ENDING_STATUSES = {
    MembershipEventKind.WITHDRAWN: MembershipStatus.WITHDRAWN,
    MembershipEventKind.DECEASED: MembershipStatus.DECEASED,
    MembershipEventKind.DISSOLVED: MembershipStatus.DISSOLVED,
    MembershipEventKind.NON_USE: MembershipStatus.NON_USE,
    MembershipEventKind.EXPELLED: MembershipStatus.EXPELLED,
}


@transaction.atomic
def end_membership(
    *, membership: Membership, kind: str, on: date, reason: str, authority: str = ""
) -> Membership:
    """End a membership (withdrawal, death, dissolution, non-use, expulsion). Debts survive it.

    Expulsion needs two-thirds of all trustees after written notice and ten days to comply
    (bylaws art. I sec. 2): ``authority`` must record that vote.
    """
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if kind not in ENDING_STATUSES:
        raise RuleViolation(f"not a way a membership ends: {kind}", field="kind")
    if membership.status != MembershipStatus.ACTIVE:
        raise RuleViolation(f"membership {membership.number} has already ended", field="kind")
    if on < membership.joined_on:
        raise RuleViolation("a membership cannot end before it began", field="on")
    if kind == MembershipEventKind.EXPELLED and not authority.strip():
        raise RuleViolation(
            "expulsion needs the board's two-thirds vote recorded", field="authority"
        )
    membership.status = ENDING_STATUSES[kind]
    membership.ended_on = on
    membership.end_reason = reason
    membership.with_reason(reason).save()
    MembershipEvent.objects.create(
        membership=membership, kind=kind, on=on, reason=reason, authority=authority
    )
    return membership


@transaction.atomic
def reinstate_membership(*, membership: Membership, on: date, authority: str) -> Membership:
    """Reinstate an ended membership by board majority or members' vote (bylaws art. I sec. 2)."""
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.status == MembershipStatus.ACTIVE:
        raise RuleViolation(f"membership {membership.number} is active", field="membership")
    if membership.status == MembershipStatus.DECEASED:
        raise RuleViolation(
            "a deceased member's membership cannot be reinstated", field="membership"
        )
    if not authority.strip():
        raise RuleViolation("reinstatement needs the vote that granted it", field="authority")
    membership.status = MembershipStatus.ACTIVE
    membership.ended_on = None
    membership.end_reason = ""
    membership.with_reason(f"reinstated: {authority}").save()
    MembershipEvent.objects.create(
        membership=membership, kind=MembershipEventKind.REINSTATED, on=on, authority=authority
    )
    return membership


@transaction.atomic
def open_account(*, party: Party, rate_class: str, opened_on: date, **fields: Any) -> Account:
    """Open a billing account for a party with a mailing address that can be mailed to."""
    account = Account(party=party, rate_class=rate_class, opened_on=opened_on, **fields)
    if not account.number:
        account.number = _next_number(Account, "number", 1000001)
    check_address(account.mailing_address, field_names=MAILING_FIELDS)
    check_model(account, exclude=["party"])
    try:
        with transaction.atomic():
            account.save()
    except IntegrityError:
        raise RuleViolation(f"account number {account.number} is taken", field="number") from None
    return account


ACCOUNT_EDITABLE = (
    "mailing_line1",
    "mailing_line2",
    "mailing_city",
    "mailing_state",
    "mailing_zip",
    "phone",
    "email",
    "language",
    "paperless",
    "billing_cycle",
)


@transaction.atomic
def update_account(*, account: Account, reason: str = "", **changes: Any) -> Account:
    """Change an account's contact and billing preferences, all or nothing."""
    account = Account.objects.select_for_update().get(pk=account.pk)
    for field, value in changes.items():
        if field not in ACCOUNT_EDITABLE:
            raise RuleViolation("this field cannot be changed here", field=field)
        if field == "phone":
            value = check_phone(str(value))
        setattr(account, field, value)
    check_address(account.mailing_address, field_names=MAILING_FIELDS)
    cycle_before = Account.objects.values_list("billing_cycle", flat=True).get(pk=account.pk)
    check_model(account, exclude=["party"])  # makes the cycle a number, or refuses it
    if account.billing_cycle != cycle_before:
        check_billing_cycle(account.billing_cycle)
    account.with_reason(reason).save()
    return account


@transaction.atomic
def submit_application(
    *,
    party: Party,
    premise: Any,
    rate_class: str,
    tariff_code: str,
    submitted_on: date,
    requested_on: date,
    membership_kind: str = MembershipKind.MEMBER,
    deposit_amount: Decimal | None = None,
    after_hours: bool = False,
    special_agreement: str = "",
) -> ServiceApplication:
    """Take an application for service with the connect fee (and deposit) it carries.

    The connect fee comes from the co-op profile ($40 in business hours, $200 after hours
    at OCEC); the deposit amount, when one is required, is decided by the credit rules.
    """
    check_tariff_code(tariff_code)
    if requested_on < submitted_on:
        raise RuleViolation("service cannot be wanted before the application", field="requested_on")
    application = ServiceApplication(
        party=party,
        premise=premise,
        rate_class=rate_class,
        tariff_code=tariff_code,
        membership_kind=membership_kind,
        submitted_on=submitted_on,
        requested_on=requested_on,
        special_agreement=special_agreement,
    )
    check_model(application, exclude=["party", "premise", "account"])
    application.save()
    profile = active_profile()
    fee_code = "connect_after_hours" if after_hours else "connect"
    if fee_code in profile.fees:
        fee = profile.fee(fee_code)
        ApplicationCharge.objects.create(
            application=application,
            kind=ChargeKind.FEE,
            fee_code=fee_code,
            description=fee.description,
            amount=fee.amount.amount,
            source=fee.source,
        )
    if deposit_amount is not None:
        if deposit_amount <= 0:
            raise RuleViolation("a deposit must be more than zero", field="deposit_amount")
        ApplicationCharge.objects.create(
            application=application,
            kind=ChargeKind.DEPOSIT,
            description="Security deposit",
            amount=deposit_amount,
            source="SEC Rule No. 4; policy 404",
        )
    return application


def locked_application(application: ServiceApplication, *allowed: str) -> ServiceApplication:
    locked = ServiceApplication.objects.select_for_update().get(pk=application.pk)
    if locked.status not in allowed:
        raise RuleViolation(
            f"application {locked.pk} is {locked.get_status_display().lower()}", field="status"
        )
    return locked


@transaction.atomic
def approve_application(
    *, application: ServiceApplication, on: date, note: str = ""
) -> ServiceApplication:
    application = locked_application(application, ApplicationStatus.SUBMITTED)
    application.status = ApplicationStatus.APPROVED
    application.decided_on = on
    application.decision_note = note
    application.with_reason(note or "approved").save()
    return application


@transaction.atomic
def decline_application(
    *, application: ServiceApplication, on: date, note: str
) -> ServiceApplication:
    if not note.strip():
        raise RuleViolation("say why the application is declined", field="decision_note")
    application = locked_application(
        application, ApplicationStatus.SUBMITTED, ApplicationStatus.APPROVED
    )
    application.status = ApplicationStatus.DECLINED
    application.decided_on = on
    application.decision_note = note
    application.with_reason(note).save()
    return application


@transaction.atomic
def add_joint_member(*, membership: Membership, name: str) -> JointMember:
    """Record a person who holds ``membership`` jointly with its party (still one vote)."""
    name = " ".join(name.split())
    if not name:
        raise RuleViolation("name the joint member", field="name")
    if membership.kind != MembershipKind.MEMBER or membership.status != MembershipStatus.ACTIVE:
        raise RuleViolation(
            f"membership {membership.number} is not an active membership", field="membership"
        )
    if (
        name.casefold() == membership.party.display_name.casefold()
        or membership.joint_members.filter(name__iexact=name).exists()
    ):
        raise RuleViolation(f"{name} already holds membership {membership.number}", field="name")
    return JointMember.objects.create(membership=membership, name=name)


@transaction.atomic
def record_joint_death(*, membership: Membership, name: str, on: date) -> JointMember:
    """A joint member died on ``on`` (the membership's party's death ends the membership
    instead: :func:`end_membership`)."""
    found = membership.joint_members.select_for_update().filter(name__iexact=" ".join(name.split()))
    member = found.first()
    if member is None:
        raise RuleViolation(
            f"{name} is not a joint member of membership {membership.number}", field="name"
        )
    if member.died_on is not None:
        raise RuleViolation(f"{member.name}'s death is already recorded", field="name")
    if on < membership.joined_on:
        raise RuleViolation("a joint member's death follows the membership's start", field="on")
    member.died_on = on
    member.save(update_fields=["died_on"])
    return member
