"""factory_boy factories for the master data (database tests only)."""

from __future__ import annotations

from datetime import date

import factory

from coopcis.apps.members.models import Account, Membership, Party
from coopcis.apps.metering.models import Meter, MeterInstallation
from coopcis.apps.premises.models import Premise, ServiceAgreement, ServicePoint


class PartyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Party

    kind = "PERSON"
    first_name = factory.Sequence(lambda n: f"Member{n}")
    last_name = factory.Iterator(["Baca", "Chavez", "Sanchez", "Smith", "Lucero", "Otero"])
    phone = factory.Sequence(lambda n: f"575-555-{n % 10000:04d}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    party = factory.SubFactory(PartyFactory)
    number = factory.Sequence(lambda n: str(200000 + n))
    kind = "MEMBER"
    joined_on = date(2020, 1, 1)


class AccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Account

    number = factory.Sequence(lambda n: str(2000000 + n))
    party = factory.SubFactory(PartyFactory)
    rate_class = "RESIDENTIAL"
    opened_on = date(2020, 1, 1)
    mailing_line1 = factory.Sequence(lambda n: f"{100 + n} Burro Avenue")
    mailing_city = "Cloudcroft"
    mailing_state = "NM"
    mailing_zip = "88317"


class PremiseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Premise

    kind = "RESIDENCE"
    line1 = factory.Sequence(lambda n: f"{10 + n} James Canyon Hwy")
    city = "Cloudcroft"
    state = "NM"
    zip_code = "88317"
    county = "Otero"
    district = "CN"


class ServicePointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServicePoint

    premise = factory.SubFactory(PremiseFactory)
    code = factory.Sequence(lambda n: f"SP{n:06d}")
    kind = "METERED"
    feeder = "CC-1"
    transformer = factory.Sequence(lambda n: f"T{n:05d}")


class MeterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meter

    serial = factory.Sequence(lambda n: f"M{n:08d}")
    kind = "REGISTER"


class MeterInstallationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MeterInstallation

    meter = factory.SubFactory(MeterFactory)
    service_point = factory.SubFactory(ServicePointFactory)
    installed_on = date(2020, 1, 1)


class ServiceAgreementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceAgreement

    account = factory.SubFactory(AccountFactory)
    service_point = factory.SubFactory(ServicePointFactory)
    tariff_code = "ocec-res"
    start_on = date(2020, 1, 1)
