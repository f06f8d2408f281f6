"""The coopcis command: Django's commands and ours, errors as one line with a non-zero exit."""

import json
from datetime import date

import pytest

from coopcis.apps.metering.models import MeterInstallation
from coopcis.cli import main
from tests.factories import (
    AccountFactory,
    MeterFactory,
    ServiceAgreementFactory,
    ServicePointFactory,
)

pytestmark = pytest.mark.django_db


def _one_error_line(capsys):
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def test_unknown_account_is_one_line_and_non_zero(capsys):
    assert main(["account", "show", "0000000"]) == 1
    assert _one_error_line(capsys) == "coopcis account: error: no account '0000000'"


def test_bad_arguments_exit_2_with_one_line(capsys):
    assert main(["meter", "install", "X1"]) == 2
    assert "required: --service-point" in _one_error_line(capsys)


def test_account_show_json(capsys):
    agreement = ServiceAgreementFactory(
        tariff_code="ocec-res-tou", account=AccountFactory(number="1000777")
    )
    assert main(["account", "show", "1000777", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["number"] == "1000777"
    assert shown["due_days"] == 20
    assert shown["agreements"][0]["tariff_code"] == "ocec-res-tou"
    assert shown["agreements"][0]["service_point"] == agreement.service_point.code


def test_meter_at_two_places_is_refused_from_the_cli(capsys):
    meter = MeterFactory(serial="OT123456")
    first, second = ServicePointFactory(code="SP-A"), ServicePointFactory(code="SP-B")
    assert (
        main(["meter", "install", "OT123456", "--service-point", "SP-A", "--on", "2025-01-02"]) == 0
    )
    capsys.readouterr()
    code = main(["meter", "install", "OT123456", "--service-point", "SP-B", "--on", "2025-02-01"])
    assert code == 1
    line = _one_error_line(capsys)
    assert line.startswith("coopcis meter: error: meter: meter OT123456 is installed at SP-A")
    assert MeterInstallation.objects.filter(meter=meter).count() == 1
    assert main(["meter", "remove", "OT123456", "--on", "2025-02-01", "--reason", "swap"]) == 0
    assert (
        main(["meter", "install", "OT123456", "--service-point", "SP-B", "--on", "2025-02-01"]) == 0
    )
    assert MeterInstallation.objects.get(meter=meter, removed_on=None).service_point == second
    assert MeterInstallation.objects.get(meter=meter, service_point=first).removed_on == date(
        2025, 2, 1
    )


def test_bad_date_is_one_line(capsys):
    MeterFactory(serial="OT1")
    assert main(["meter", "remove", "OT1", "--on", "2025-02-30"]) == 1
    assert _one_error_line(capsys) == "coopcis meter: error: not a date (YYYY-MM-DD): '2025-02-30'"
