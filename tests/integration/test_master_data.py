"""Master data rules on a real database (SQLite and PostgreSQL): refusals change nothing."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from coopcis.apps.audit.context import acting_as
from coopcis.apps.audit.models import AuditEvent
from coopcis.apps.members import services as members
from coopcis.apps.members.models import (
    Account,
    ApplicationStatus,
    Membership,
    MembershipEventKind,
    MembershipStatus,
)
from coopcis.apps.metering.models import MeterInstallation
from coopcis.apps.metering.services import install_meter, remove_meter
from coopcis.apps.premises import services as premises
from coopcis.apps.premises.models import ServiceAgreement
from coopcis.core.errors import RuleViolation
from tests.factories import (
    AccountFactory,
    MeterFactory,
    PartyFactory,
    PremiseFactory,
    ServicePointFactory,
)

pytestmark = pytest.mark.django_db

MAILING = {
    "mailing_line1": "404 Burro Avenue",
    "mailing_city": "Cloudcroft",
    "mailing_state": "NM",
    "mailing_zip": "88317",
}


def test_second_membership_for_a_party_is_refused():
    # given a member
    party = PartyFactory()
    members.enroll_membership(party=party, kind="MEMBER", joined_on=date(2021, 3, 1))
    # when a second membership is attempted
    with pytest.raises(RuleViolation) as refusal:
        members.enroll_membership(party=party, kind="NON_MEMBER", joined_on=date(2022, 1, 1))
    # then it is refused naming the party, and nothing was added
    assert refusal.value.field == "party"
    assert "one membership per person" in refusal.value.message
    assert Membership.objects.filter(party=party).count() == 1


def test_database_also_refuses_a_second_membership():
    party = PartyFactory()
    members.enroll_membership(party=party, kind="MEMBER", joined_on=date(2021, 3, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(
            party=party, number="999999", kind="MEMBER", joined_on=date(2021, 3, 1)
        )


def test_membership_ends_and_is_reinstated_with_its_history():
    party = PartyFactory()
    membership = members.enroll_membership(party=party, kind="MEMBER", joined_on=date(2019, 5, 1))
    with pytest.raises(RuleViolation, match="two-thirds"):
        members.end_membership(
            membership=membership,
            kind=MembershipEventKind.EXPELLED,
            on=date(2024, 1, 1),
            reason="x",
        )
    members.end_membership(
        membership=membership,
        kind=MembershipEventKind.EXPELLED,
        on=date(2024, 1, 10),
        reason="meter diversion, 10 days after written notice",
        authority="board vote 8 of 10 trustees",
    )
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.EXPELLED
    assert not membership.can_vote
    members.reinstate_membership(
        membership=membership, on=date(2024, 8, 3), authority="annual meeting vote"
    )
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.ACTIVE and membership.ended_on is None
    assert [event.kind for event in membership.events.all()] == ["JOINED", "EXPELLED", "REINSTATED"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("mailing_zip", "8831", "ZIP"),
        ("mailing_state", "New Mexico", "state"),
        ("mailing_line1", "", "street"),
        ("mailing_city", "12345", "city"),
    ],
)
def test_malformed_mailing_address_is_refused_and_nothing_written(field, value, message):
    party = PartyFactory()
    before = Account.objects.count()
    with pytest.raises(RuleViolation) as refusal:
        members.open_account(
            party=party,
            rate_class="RESIDENTIAL",
            opened_on=date(2026, 1, 1),
            **{**MAILING, field: value},
        )
    assert refusal.value.field == field
    assert message in refusal.value.message
    assert Account.objects.count() == before


def test_meter_cannot_be_at_two_places_at_once():
    meter = MeterFactory()
    first, second = ServicePointFactory(), ServicePointFactory()
    install_meter(meter=meter, service_point=first, installed_on=date(2024, 1, 1))
    with pytest.raises(RuleViolation) as refusal:
        install_meter(meter=meter, service_point=second, installed_on=date(2025, 6, 1))
    assert refusal.value.field == "meter"
    assert first.code in refusal.value.message
    assert MeterInstallation.objects.filter(meter=meter).count() == 1
    # once removed it may go elsewhere, but not back into the time it was at the first place
    remove_meter(meter=meter, removed_on=date(2025, 6, 1), reason="upgraded to AMI")
    install_meter(meter=meter, service_point=second, installed_on=date(2025, 6, 1))
    with pytest.raises(RuleViolation):
        install_meter(meter=meter, service_point=first, installed_on=date(2025, 1, 1))


def test_database_refuses_two_open_installations_of_one_meter():
    meter = MeterFactory()
    MeterInstallation.objects.create(
        meter=meter, service_point=ServicePointFactory(), installed_on=date(2024, 1, 1)
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        MeterInstallation.objects.create(
            meter=meter, service_point=ServicePointFactory(), installed_on=date(2024, 2, 1)
        )


def test_overlapping_agreements_on_one_service_point_are_refused():
    point = ServicePointFactory()
    account, other = AccountFactory(), AccountFactory()
    premises.start_agreement(
        account=account,
        service_point=point,
        tariff_code="ocec-res",
        start_on=date(2024, 1, 1),
        end_on=date(2025, 1, 1),
    )
    with pytest.raises(RuleViolation) as refusal:
        premises.start_agreement(
            account=other, service_point=point, tariff_code="ocec-res", start_on=date(2024, 12, 31)
        )
    assert refusal.value.field == "start_on"
    # back to back is fine: [2024-01-01, 2025-01-01) then [2025-01-01, ...)
    premises.start_agreement(
        account=other, service_point=point, tariff_code="ocec-res-tou", start_on=date(2025, 1, 1)
    )
    assert ServiceAgreement.objects.filter(service_point=point).count() == 2


def test_unknown_tariff_code_lists_the_valid_ones():
    with pytest.raises(RuleViolation) as refusal:
        premises.start_agreement(
            account=AccountFactory(),
            service_point=ServicePointFactory(),
            tariff_code="ocec-free",
            start_on=date(2024, 1, 1),
        )
    assert refusal.value.field == "tariff_code"
    assert "ocec-res" in refusal.value.message and "sec-19" in refusal.value.message


def test_premise_district_must_be_the_co_ops():
    with pytest.raises(RuleViolation) as refusal:
        premises.create_premise(
            kind="RESIDENCE",
            line1="1 Main St",
            city="Alto",
            state="NM",
            zip_code="88312",
            county="Lincoln",
            district="ZZ",
        )
    assert refusal.value.field == "district"


def test_application_workflow_carries_fees_and_connects(django_user_model):
    party = PartyFactory()
    premise = PremiseFactory()
    application = members.submit_application(
        party=party,
        premise=premise,
        rate_class="RESIDENTIAL",
        tariff_code="ocec-res",
        submitted_on=date(2026, 3, 2),
        requested_on=date(2026, 3, 9),
        deposit_amount=Decimal("150.00"),
    )
    charges = {charge.kind: charge.amount for charge in application.charges.all()}
    assert charges == {"FEE": Decimal("40.00"), "DEPOSIT": Decimal("150.00")}  # OCEC connect fee
    with pytest.raises(RuleViolation, match="submitted"):
        premises.connect_application(
            application=application,
            service_point=ServicePointFactory(premise=premise),
            on=date(2026, 3, 9),
        )
    members.approve_application(application=application, on=date(2026, 3, 3))
    point = ServicePointFactory(premise=premise)
    premises.connect_application(
        application=application, service_point=point, on=date(2026, 3, 9), **MAILING
    )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.CONNECTED
    assert application.account.agreements.get().tariff_code == "ocec-res"
    assert Membership.objects.get(party=party).joined_on == date(2026, 3, 9)
    with pytest.raises(RuleViolation):
        members.decline_application(application=application, on=date(2026, 3, 10), note="too late")


def test_after_hours_connect_fee_comes_from_the_profile():
    application = members.submit_application(
        party=PartyFactory(),
        premise=PremiseFactory(),
        rate_class="RESIDENTIAL",
        tariff_code="ocec-res",
        submitted_on=date(2026, 3, 7),
        requested_on=date(2026, 3, 7),
        after_hours=True,
    )
    assert [charge.amount for charge in application.charges.all()] == [Decimal("200.00")]


def test_every_change_is_audited_with_who_and_before_after(django_user_model):
    clerk = django_user_model.objects.create_user("maria", password="x")
    party = PartyFactory()
    with acting_as(user=clerk, label="staff:maria"):
        account = members.open_account(
            party=party, rate_class="RESIDENTIAL", opened_on=date(2026, 1, 5), **MAILING
        )
        members.update_account(
            account=account, mailing_zip="88317-1234", language="ES", reason="member called"
        )
    update = AuditEvent.objects.filter(account_id=account.pk, action="UPDATE").get()
    assert update.actor == clerk and update.actor_label == "staff:maria"
    assert update.changes == {"mailing_zip": ["88317", "88317-1234"], "language": ["EN", "ES"]}
    assert update.reason == "member called"
    with pytest.raises(ValueError, match="append-only"):
        update.delete()
    with pytest.raises(ValueError, match="append-only"):
        update.save()


def test_refused_update_writes_nothing():
    account = members.open_account(
        party=PartyFactory(), rate_class="RESIDENTIAL", opened_on=date(2026, 1, 5), **MAILING
    )
    events = AuditEvent.objects.count()
    with pytest.raises(RuleViolation):
        members.update_account(account=account, mailing_city="Alto", mailing_zip="bad")
    account.refresh_from_db()
    assert account.mailing_city == "Cloudcroft"
    assert AuditEvent.objects.count() == events


def test_application_refuses_an_unknown_rate_class():
    with pytest.raises(RuleViolation) as refusal:
        members.submit_application(
            party=PartyFactory(),
            premise=PremiseFactory(),
            rate_class="HOBBY",
            tariff_code="ocec-res",
            submitted_on=date(2026, 3, 2),
            requested_on=date(2026, 3, 9),
        )
    assert refusal.value.field == "rate_class"


def test_meter_installation_shows_in_the_account_history():
    point = ServicePointFactory()
    account = AccountFactory()
    premises.start_agreement(
        account=account, service_point=point, tariff_code="ocec-res", start_on=date(2024, 1, 1)
    )
    install_meter(
        meter=MeterFactory(serial="HX1"), service_point=point, installed_on=date(2024, 1, 1)
    )
    event = AuditEvent.objects.get(model="metering.meterinstallation", action="CREATE")
    assert event.account_id == account.pk


def test_bulk_loads_write_the_same_create_events_as_saves(django_user_model):
    from coopcis.apps.audit.tracking import record_created
    from coopcis.apps.members.models import Party

    clerk = django_user_model.objects.create_user("loader", password="x")
    saved = members.create_party(kind="PERSON", first_name="Rosa", last_name="Otero")
    bulk = Party(kind="PERSON", first_name="Rosa", last_name="Otero")
    bulk.display_name = bulk.compose_display_name()
    (bulk,) = Party.objects.bulk_create([bulk])
    with acting_as(user=clerk, label="cli:loader"):
        assert record_created([bulk]) == 1
    by_save = AuditEvent.objects.get(model="members.party", object_pk=str(saved.pk))
    by_bulk = AuditEvent.objects.get(model="members.party", object_pk=str(bulk.pk))
    ignore = {"id", "created_at"}
    assert {k: v for k, v in by_bulk.changes.items() if k not in ignore} == {
        k: v for k, v in by_save.changes.items() if k not in ignore
    }
    assert (by_bulk.action, by_bulk.object_repr, by_bulk.actor, by_bulk.actor_label) == (
        "CREATE",
        "Otero, Rosa",
        clerk,
        "cli:loader",
    )
