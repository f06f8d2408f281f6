"""A net-metering bank over $50.00 paid as a bill credit where the profile says so
(``[net_metering] payout_method = "BILL_CREDIT"``; SEC policy 425).

Figures worked by hand as in ``test_net_billing`` (ocec-res: $30.00 + $0.1371/kWh, PCA
$0.004210, DCA $0.000850 per kWh, gross receipts 6.8125%, avoided cost $0.03/kWh): August
bills 600 kWh ($123.15), September and October are negative months ($32.04 each, the
customer charge and its tax), crediting $30.00 and $22.50; the bank reaches $52.50 in
October and is paid. The member paid August and September ($155.19) in cash before.
"""

import dataclasses
import re
from datetime import date
from decimal import Decimal as D

import pytest
from django.test import Client

from coopcis.apps.billing.corrections import cancel_bill
from coopcis.apps.billing.models import Bill
from coopcis.apps.billing.pdf import render_bill_by_id
from coopcis.apps.billing.run import run_billing
from coopcis.apps.ledger import reports
from coopcis.apps.ledger.integrity import verify_ledger
from coopcis.apps.netmetering import policy
from coopcis.apps.netmetering.models import NetMeteringMonth, PayoutCredit
from coopcis.apps.payments.reconciliation import deposit_report
from coopcis.apps.payments.services import receive_payment
from coopcis.apps.receivables.models import ReceivableItem
from coopcis.catalog.profiles import active_profile
from coopcis.core.errors import RuleViolation
from tests.integration.backoffice.factories import staff_user
from tests.integration.billing_pdf.conftest import pdf_text
from tests.integration.netmetering.net_coop import billing_setup, net_member, reads
from tests.integration.portal.factories import member as member_sign_in

pytestmark = pytest.mark.django_db


def balance(number: str) -> D:
    """Debits minus credits on a GL account."""
    rows = {row.number: row for row in reports.trial_balance().rows}
    row = rows.get(number)
    return D(0) if row is None else row.debit - row.credit


def text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.fixture
def bill_credit_profile(monkeypatch):
    profile = active_profile()
    credited = dataclasses.replace(
        profile, net_metering={**profile.net_metering, "payout_method": "BILL_CREDIT"}
    )
    monkeypatch.setattr(policy, "active_profile", lambda: credited)


@pytest.fixture
def october(freeze_today, bill_credit_profile):
    """August, September and October billed; August and September paid in cash."""
    billing_setup("2026-08", "2026-09", "2026-10", "2026-11")
    account, _, meter = net_member()
    reads(
        meter,
        "DELIVERED",
        (date(2026, 7, 1), 10_000),
        (date(2026, 8, 1), 10_900),
        (date(2026, 9, 1), 11_300),
        (date(2026, 10, 1), 11_800),
        (date(2026, 11, 1), 12_400),
    )
    reads(
        meter,
        "RECEIVED",
        (date(2026, 7, 1), 2_000),
        (date(2026, 8, 1), 2_300),
        (date(2026, 9, 1), 3_700),
        (date(2026, 10, 1), 4_950),
        (date(2026, 11, 1), 5_250),
    )
    for day in (date(2026, 8, 15), date(2026, 9, 15)):
        freeze_today(day)
        run_billing(period_label=f"2026-{day.month:02}", today=day)
    receive_payment(
        account=account,
        amount=D("155.19"),
        channel="OFFICE",
        tender="CASH",
        received_on=date(2026, 9, 20),
    )
    freeze_today(date(2026, 10, 15))
    run_billing(period_label="2026-10", today=date(2026, 10, 15))
    return account, Bill.objects.get(period="2026-10")


def test_a_bank_over_50_is_credited_to_the_bill_and_the_rest_waits(october, freeze_today):
    _, bill = october
    month = bill.net_metering
    # $30.00 + $22.50 = $52.50 > $50.00: paid, the bank restarts
    assert (month.bank_before_amount, month.credit_amount) == (D("30.00"), D("22.50"))
    assert (month.payout_amount, month.bank_after_amount) == (D("52.50"), D("0.00"))
    assert month.payout_method == "BILL_CREDIT"
    # only October's $32.04 is open: that much is credited, $20.46 waits in 242.3
    assert month.payout_credited_amount == D("32.04")
    assert month.payout_to_credit == D("20.46")
    assert month.payout_entry is None  # no check request
    item = ReceivableItem.objects.get(bill=bill)
    assert (item.paid_amount, item.status) == (D("32.04"), "PAID")
    line = bill.lines.get(code="net_metering_credit")
    assert line.amount == D("-32.04") and "2026-10" in line.description
    bill.refresh_from_db()
    assert bill.total_amount == D("32.04")  # the electric charges, as always
    assert bill.amount_due_amount == D("0.00")

    # ledger: Dr 555 / Cr 242.3 $52.50 credited; Dr 242.3 / Cr 142.1 $32.04 on the bill
    assert balance("555") == D("52.50")
    assert balance("242.3") == D("-20.46")
    assert balance("232.1") == D("0.00")
    # bills 123.15 + 32.04 + 32.04 = 187.23, less the cash 155.19 and the credit 32.04
    assert balance("142.1") == D("0.00")
    assert balance("131") == D("155.19")  # the bill credit is not cash
    assert verify_ledger().problems == []

    # not money received: the day's deposit report has nothing and ties
    report = deposit_report(day=bill.bill_date)
    assert report.received_total == D("0.00") and report.gl_cash_debits == D("0.00")
    assert report.ties

    # the bill says it
    pdf = " ".join(pdf_text(render_bill_by_id(bill.pk).pdf).split())
    assert "Your credit of $52.50 is over $50.00 and is paid as a credit on your bill." in pdf
    assert "-$32.04" in pdf

    # November: 600 - 300 = 300 kWh billed. $30.00 + 41.13 + PCA 1.263 -> 1.26 + DCA 0.255
    # -> 0.26 = 72.65; GRT 4.9493 -> 4.95: $77.60. The $20.46 left is credited on it.
    freeze_today(date(2026, 11, 15))
    run_billing(period_label="2026-11", today=date(2026, 11, 15))
    november = Bill.objects.get(period="2026-11")
    assert november.total_amount == D("77.60")
    assert november.lines.get(code="net_metering_credit").amount == D("-20.46")
    assert november.amount_due_amount == D("57.14")
    month.refresh_from_db()
    assert month.payout_credited_amount == D("52.50") and month.payout_to_credit == D("0.00")
    assert balance("242.3") == D("0.00")
    assert balance("142.1") == D("57.14")
    assert verify_ledger().problems == []

    # cancelling November gives its $20.46 back to 242.3, for the next bill
    cancel_bill(bill=november, on=date(2026, 11, 15), reason="read check")
    month.refresh_from_db()
    assert month.payout_to_credit == D("20.46")
    assert balance("242.3") == D("-20.46") and balance("142.1") == D("0.00")
    assert verify_ledger().problems == []

    # cancelling October gives back its $32.04 and reverses the $22.50: the bank is $30.00
    cancel_bill(bill=bill, on=date(2026, 11, 15), reason="read check")
    assert NetMeteringMonth.objects.get(bill=bill).cancelled
    assert balance("242.3") == D("-30.00") and balance("555") == D("30.00")
    assert balance("142.1") == D("0.00")
    assert not PayoutCredit.objects.filter(given_back_on__isnull=True).exists()
    assert verify_ledger().problems == []


def test_the_staff_card_and_the_portal_show_the_bill_credit(october, django_assert_max_num_queries):
    from tests.integration.backoffice.test_account_page import ACCOUNT_PAGE_QUERIES

    account, bill = october
    staff = Client()
    staff.force_login(staff_user("read_only"))
    # the card's seven queries and one for the payout's parts, however many
    with django_assert_max_num_queries(ACCOUNT_PAGE_QUERIES + 8):
        html = staff.get(f"/accounts/{account.number}/").text
    start = html.index('id="net-metering"')
    card = text(html[start : html.index("</section>", start)])
    assert "paid as a credit on the member's bill in a month the bank is greater than $50.00" in (
        card
    )
    assert (
        f"$52.50 bill credit $32.04 credited on bill {bill.number} "
        "$20.46 waits for the next bill" in card
    )

    member = Client()
    member.force_login(member_sign_in("sun@example.org", account))
    page = text(member.get(f"/portal/accounts/{account.number}/net-metering/").content.decode())
    assert "When the bank is greater than $50.00, the co-op credits it to your bill." in page
    assert "2026-10 750 $22.50 $52.50 as a credit on your bill $0.00" in page


def test_a_profile_with_another_payout_method_is_refused(monkeypatch):
    profile = active_profile()
    odd = dataclasses.replace(
        profile, net_metering={**profile.net_metering, "payout_method": "CASH"}
    )
    monkeypatch.setattr(policy, "active_profile", lambda: odd)
    with pytest.raises(RuleViolation, match=r"CHECK.*BILL_CREDIT"):
        policy.net_metering_policy()
