"""The REC program: reads by the 7th, a payment in May, the yearly statement (SEC policy 425)."""

import json
from datetime import date
from decimal import Decimal as D

import pytest
from pypdf import PdfReader

from coopcis.apps.ledger import reports
from coopcis.apps.ledger.integrity import verify_ledger
from coopcis.apps.netmetering.models import Interconnection, RecPayment, RecRate
from tests.factories import AccountFactory, ServicePointFactory
from tests.integration.jobs import coopcis

pytestmark = pytest.mark.django_db


@pytest.fixture
def rec_member(capsys):
    account = AccountFactory(number="1000600")
    ic = Interconnection.objects.create(
        account=account,
        service_point=ServicePointFactory(),
        system_type="SOLAR",
        ac_kw=D("8"),
        submitted_on=date(2025, 11, 1),
        status="IN_SERVICE",
        in_service_on=date(2025, 12, 1),
        rec_meter_serial="REC-1",
    )
    code, _, err = coopcis(
        capsys, "net-metering", "rec-agree", ic.pk, "--on", "2025-12-01", "--opening-kwh", "120"
    )
    assert code == 0, err
    RecRate.objects.create(effective_on=date(2025, 1, 1), rate_per_kwh=D("0.0125"), source="t")
    return account


def read(capsys, read_on, kwh, received_on):
    return coopcis(
        capsys,
        "net-metering",
        "rec-read",
        "1000600",
        "--read-on",
        read_on,
        "--kwh",
        kwh,
        "--received-on",
        received_on,
    )


def test_a_read_lower_than_the_latest_is_refused(capsys, rec_member, freeze_today):
    freeze_today(date(2026, 5, 20))
    assert read(capsys, "2026-04-01", "1000", "2026-04-03")[0] == 0
    code, _, err = read(capsys, "2026-05-01", "999.5", "2026-05-02")
    assert code == 1 and "lower than the latest" in err and "policy 425" in err


def test_late_and_missing_reads_are_listed(capsys, rec_member, freeze_today):
    freeze_today(date(2026, 5, 20))
    other = Interconnection.objects.create(
        account=AccountFactory(number="1000601"),
        service_point=ServicePointFactory(),
        system_type="WIND",
        ac_kw=D("5"),
        submitted_on=date(2025, 11, 1),
        status="IN_SERVICE",
    )
    assert (
        coopcis(
            capsys,
            "net-metering",
            "rec-agree",
            other.pk,
            "--on",
            "2025-12-01",
            "--opening-kwh",
            "0",
        )[0]
        == 0
    )
    assert read(capsys, "2026-04-01", "900", "2026-04-07")[0] == 0  # on time
    assert read(capsys, "2026-05-01", "1100", "2026-05-09")[0] == 0  # after the 7th: late
    _, out, _ = coopcis(capsys, "net-metering", "rec-reads", "--month", "2026-04", "--json")
    assert [(r["account"], r["status"]) for r in json.loads(out)] == [
        ("1000600", "ON_TIME"),
        ("1000601", "MISSING"),
    ]
    _, out, _ = coopcis(capsys, "net-metering", "rec-reads", "--month", "2026-05", "--json")
    assert [r["status"] for r in json.loads(out)] == ["LATE", "MISSING"]


def test_may_payment_and_the_yearly_statement(capsys, rec_member, freeze_today, tmp_path):
    freeze_today(date(2026, 5, 20))
    for read_on, kwh in (("2026-03-01", "600"), ("2026-04-01", "1000"), ("2026-05-01", "1321.5")):
        assert read(capsys, read_on, kwh, read_on)[0] == 0

    code, _, err = coopcis(capsys, "net-metering", "rec-pay", "--on", "2026-04-30")
    assert code == 1 and "May and September" in err

    code, out, _ = coopcis(capsys, "net-metering", "rec-pay", "--on", "2026-05-15", "--dry-run")
    assert code == 0 and out.startswith("DRY RUN") and not RecPayment.objects.exists()

    # 1,321.5 - 120 opening = 1,201.5 kWh x $0.0125 = 15.01875 -> $15.02
    code, out, _ = coopcis(capsys, "net-metering", "rec-pay", "--on", "2026-05-15", "--json")
    assert json.loads(out) == {
        "paid": 1,
        "total": "15.02",
        "payments": [{"account": "1000600", "kwh": "1201.500", "amount": "15.02"}],
    }
    rows = {row.number: row for row in reports.trial_balance().rows}
    assert rows["555.1"].debit == D("15.02") and rows["232.1"].credit == D("15.02")
    assert verify_ledger().problems == []

    # paid once a month: running again pays nothing
    code, out, _ = coopcis(capsys, "net-metering", "rec-pay", "--on", "2026-05-16", "--json")
    assert json.loads(out)["paid"] == 0

    # September pays the generation since May's payment: 1,500 - 1,321.5 = 178.5 x 0.0125
    freeze_today(date(2026, 9, 20))
    assert read(capsys, "2026-09-01", "1500", "2026-09-03")[0] == 0
    code, out, _ = coopcis(capsys, "net-metering", "rec-pay", "--on", "2026-09-15", "--json")
    assert json.loads(out)["total"] == "2.23"  # 2.23125 -> 2.23

    out_file = tmp_path / "rec-2026.txt"
    code, _, _ = coopcis(
        capsys, "net-metering", "rec-statement", "1000600", "--year", "2026", "--out", out_file
    )
    text = out_file.read_text()
    assert code == 0 and "Paid in 2026: $17.25" in text and "2026-05-15" in text

    # the same statement as a PDF, to mail
    pdf_file = tmp_path / "rec-2026.pdf"
    code, out, _ = coopcis(
        capsys, "net-metering", "rec-statement", "1000600", "--year", "2026", "--out", pdf_file
    )
    assert code == 0 and pdf_file.read_bytes().startswith(b"%PDF")
    printed = " ".join(
        "".join(page.extract_text() for page in PdfReader(str(pdf_file)).pages).split()
    )
    assert "Renewable energy credit statement 2026" in printed and "Account 1000600" in printed
    assert "2026-05-15" in printed and "Paid in 2026: $17.25" in printed


def test_rec_pay_may_not_be_after_today(capsys, rec_member, freeze_today):
    freeze_today(date(2026, 5, 1))
    code, _, err = coopcis(capsys, "net-metering", "rec-pay", "--on", "2026-05-02")
    assert code == 2 and "after today" in err


def test_staff_enter_a_rec_read_on_the_account_page(rec_member, client, freeze_today):
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    from coopcis.apps.netmetering.models import RecRead

    freeze_today(date(2026, 2, 5))
    client.force_login(get_user_model().objects.get(username="operator"))
    page = client.get(reverse("backoffice:account", kwargs={"number": "1000600"}))
    url = reverse("backoffice:rec_read_new", kwargs={"number": "1000600"})
    assert b"REC agreement" in page.content
    assert url.encode() in page.content  # the card links to the form
    form = client.get(url)
    assert form.status_code == 200 and b"REC meter reading (kWh)" in form.content

    made = client.post(url, {"read_on": "2026-01-03", "register_kwh": "300.5"})
    assert made.status_code == 302
    read = RecRead.objects.get()
    # received on blank: today
    assert (read.read_on, read.register_kwh, read.received_on) == (
        date(2026, 1, 3),
        D("300.5"),
        date(2026, 2, 5),
    )

    # lower than the latest: refused on the form, nothing recorded
    refused = client.post(
        url, {"read_on": "2026-02-03", "register_kwh": "250", "received_on": "2026-02-04"}
    )
    assert refused.status_code == 400
    text = " ".join(refused.content.decode().split())
    assert "is lower than the latest one (300.500 kWh on 2026-01-03)" in text
    assert RecRead.objects.count() == 1

    # the reading goes through the one number parser: no exponent, digits 0-9, no sign
    for typed, why in (
        ("4e2", "without an exponent"),
        ("١٢٣", "use the digits 0-9"),
        ("-400", "must not be negative"),
        ("400.0001", "at most 3 decimals"),
    ):
        refused = client.post(url, {"read_on": "2026-02-03", "register_kwh": typed})
        assert refused.status_code == 400, typed
        assert why in refused.content.decode(), typed
    assert RecRead.objects.count() == 1
