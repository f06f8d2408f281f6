"""Back-office test data: staff users in each role, and one fully described account."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.contrib.auth.models import Group, User

from coopcis.apps.members.models import (
    Account,
    BankDraftMandate,
    Membership,
    MembershipEvent,
    Party,
)
from coopcis.apps.metering.models import Meter, MeterInstallation
from coopcis.apps.premises.models import Premise, ServiceAgreement, ServicePoint
from coopcis.apps.staff.roles import ROLE_NAMES
from tests.factories import (
    AccountFactory,
    MembershipFactory,
    MeterFactory,
    MeterInstallationFactory,
    PartyFactory,
    PremiseFactory,
    ServiceAgreementFactory,
    ServicePointFactory,
)

PASSWORD = "correct-horse-battery-staple"
_usernames = itertools.count(1)


def staff_user(role: str | None, username: str | None = None) -> User:
    """A signed-in-able user in the role group (``read_only``, ``billing``...), or none."""
    user = User.objects.create_user(
        username=username or f"{role or 'norole'}-clerk-{next(_usernames)}",
        password=PASSWORD,
        first_name="Rosa",
        last_name=(role or "none").replace("_", " ").title(),
    )
    if role is not None:
        user.groups.add(Group.objects.get(name=ROLE_NAMES[role]))
    return user


@dataclass
class DescribedAccount:
    party: Party
    membership: Membership
    account: Account
    bank_draft: BankDraftMandate
    premise: Premise
    service_point: ServicePoint
    meter: Meter
    old_meter: Meter
    agreement: ServiceAgreement


def described_account() -> DescribedAccount:
    """Maria Baca's home on James Canyon Hwy: member since 2019, one service point with a
    replaced meter, a residential agreement and a bank draft on the 25th."""
    party = PartyFactory(
        first_name="Maria", last_name="Baca", phone="(575) 682-4411", email="mbaca@example.org"
    )
    membership = MembershipFactory(party=party, number="104417", joined_on=date(2019, 3, 4))
    MembershipEvent.objects.create(membership=membership, kind="JOINED", on=date(2019, 3, 4))
    account = AccountFactory(
        number="3100417",
        party=party,
        opened_on=date(2019, 3, 4),
        billing_cycle=3,
        paperless=True,
        autopay=True,
        language="ES",
        mailing_line1="PO Box 817",
        mailing_city="Cloudcroft",
        mailing_zip="88317",
        phone="575-682-9900",
    )
    bank_draft = BankDraftMandate.objects.create(
        account=account,
        draft_day=25,
        bank_name="First Federal",
        routing_number="107002312",
        bank_account_number="0012345678",
        bank_account_type="CHECKING",
        holder_name="Maria Baca",
        signed_on=date(2021, 6, 1),
    )
    premise = PremiseFactory(
        line1="1207 James Canyon Hwy",
        city="Cloudcroft",
        zip_code="88317",
        district="NE",
        latitude=Decimal("32.957310"),
        longitude=Decimal("-105.742110"),
    )
    point = ServicePointFactory(
        premise=premise, code="SP-417", feeder="CC-4", transformer="TX-88017"
    )
    old_meter = MeterFactory(serial="OLD55501")
    MeterInstallationFactory(
        meter=old_meter,
        service_point=point,
        installed_on=date(2019, 3, 4),
        removed_on=date(2023, 5, 10),
        removal_reason="AMI upgrade",
    )
    meter = MeterFactory(serial="AMI77120", kind="AMI_INTERVAL", interval_minutes=15)
    MeterInstallationFactory(meter=meter, service_point=point, installed_on=date(2023, 5, 10))
    agreement = ServiceAgreementFactory(
        account=account,
        service_point=point,
        tariff_code="ocec-res",
        start_on=date(2019, 3, 4),
        loss_factor=Decimal("0.02500"),
    )
    return DescribedAccount(
        party, membership, account, bank_draft, premise, point, meter, old_meter, agreement
    )


def account_at_new_point(**account_fields: object) -> tuple[Account, ServicePoint]:
    """Another account with an open agreement on its own service point."""
    account = AccountFactory(**account_fields)
    point = ServicePointFactory()
    ServiceAgreementFactory(account=account, service_point=point, start_on=date(2021, 1, 1))
    return account, point


def row_counts() -> dict[str, int]:
    """Rows of everything a back-office change could write, to prove a refusal wrote none."""
    from coopcis.apps.audit.models import AuditEvent
    from coopcis.apps.members.models import ApplicationCharge, ServiceApplication

    models = (Party, Membership, Account, Premise, ServicePoint, ServiceAgreement, Meter,
              MeterInstallation, ServiceApplication, ApplicationCharge, AuditEvent)  # fmt: skip
    return {model.__name__: model.objects.count() for model in models}
