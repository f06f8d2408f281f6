"""Meters on an active residential account, with a steady read history, for VEE tests."""

from datetime import date

import pytest

from coopcis.apps.metering.models import Meter, RegisterRead
from tests.factories import MeterFactory, MeterInstallationFactory, ServiceAgreementFactory

KWH = 1000


def month_starts(first: date, count: int, day: int = 5) -> list[date]:
    dates = []
    year, month = first.year, first.month
    for _ in range(count):
        dates.append(date(year, month, day))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return dates


def install(serial: str, *, kind: str = "REGISTER", on: date = date(2023, 1, 1), **fields) -> Meter:
    """A meter installed at a service point with an open agreement on an active account."""
    if kind != "REGISTER":
        fields.setdefault("interval_minutes", 15)
    meter = MeterFactory(serial=serial, kind=kind, **fields)
    installation = MeterInstallationFactory(meter=meter, installed_on=on)
    ServiceAgreementFactory(service_point=installation.service_point, start_on=on)
    return meter


def steady_reads(
    meter: Meter, *, first: date, count: int, kwh_per_day: int, start_kwh: int = 10_000
):
    """Monthly actual reads on the 5th, the register rising ``kwh_per_day`` a day."""
    register_kwh = start_kwh
    previous = None
    reads = []
    for read_on in month_starts(first, count):
        if previous is not None:
            register_kwh += kwh_per_day * (read_on - previous).days
        reads.append(
            RegisterRead.objects.create(
                meter=meter, read_on=read_on, register_wh=register_kwh * KWH
            )
        )
        previous = read_on
    return reads


@pytest.fixture
def write(tmp_path):
    def write_file(name: str, text: str | bytes):
        path = tmp_path / name
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text)
        return path

    return write_file
