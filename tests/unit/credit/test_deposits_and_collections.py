from datetime import date
from decimal import Decimal

import pytest

from coopcis.core.collections.rules import (
    AGREEMENT,
    DISPUTE,
    HOLD,
    MEDICAL,
    WINTER,
    MedicalCertificate,
    ProtectionFacts,
    earliest_disconnect_date,
    final_contact_by,
    in_winter_moratorium,
    protections,
    winter_start,
)
from coopcis.core.credit.delinquency import BillHistory, is_chronically_delinquent, late_occasions
from coopcis.core.credit.deposits import (
    CHRONICALLY_DELINQUENT,
    NEW_WITHOUT_CREDIT,
    CreditFacts,
    InterestRate,
    anniversaries,
    deposit_amount,
    deposit_decision,
    deposit_interest,
)
from coopcis.core.money import Money

m = Money.of


def test_deposit_only_on_the_rule_4_grounds():
    assert not deposit_decision(
        CreditFacts(is_new_member=True, credit_methods=("HOME_OWNER",))
    ).required
    new = deposit_decision(CreditFacts(is_new_member=True))
    assert new.required and new.reasons == (NEW_WITHOUT_CREDIT,)
    late = deposit_decision(CreditFacts(is_new_member=False, chronically_delinquent=True))
    assert late.reasons == (CHRONICALLY_DELINQUENT,)
    assert not deposit_decision(CreditFacts(is_new_member=False)).required
    with pytest.raises(ValueError, match="LOTTERY"):
        deposit_decision(CreditFacts(is_new_member=True, credit_methods=("LOTTERY",)))


def test_residential_deposit_is_a_sixth_capped_at_150_percent_of_the_peak_and_at_least_50():
    # 11 months of $100 and a $400 July: a sixth of $1,500 is $250, 150% of $400 is $600
    year = [m("100.00")] * 11 + [m("400.00")]
    assert deposit_amount(estimated_monthly_bills=year, residential=True) == m("250.00")
    # flat $100 months: a sixth of $1,200 is $200, but 150% of $100 caps it at $150
    assert deposit_amount(estimated_monthly_bills=[m("100.00")] * 12, residential=True) == m(
        "150.00"
    )
    # a cabin: a sixth of $120 is $20, raised to the $50 minimum
    assert deposit_amount(estimated_monthly_bills=[m("10.00")] * 12, residential=True) == m("50.00")
    # commercial: a sixth, no cap, no minimum; $1,000.01 / 6 = 166.668... -> 166.67
    bills = [m("83.33")] * 11 + [m("83.38")]
    assert deposit_amount(estimated_monthly_bills=bills, residential=False) == m("166.67")


def test_simple_interest_follows_the_rate_table_and_stops_on_refund():
    rates = [
        InterestRate(date(2020, 1, 1), Decimal("0.02")),
        InterestRate(date(2026, 1, 1), Decimal("0.03")),
    ]
    # $200 from 2025-07-01 to 2026-07-01: 184 days at 2% and 181 days at 3%
    interest = deposit_interest(
        principal=m("200"), rates=rates, start_on=date(2025, 7, 1), end_on=date(2026, 7, 1)
    )
    expected = Decimal(200) * (Decimal("0.02") * 184 + Decimal("0.03") * 181) / 365
    assert interest == Money(expected).round_cents() == m("4.99")
    with pytest.raises(ValueError, match="no deposit interest rate"):
        deposit_interest(
            principal=m("1"), rates=rates, start_on=date(2019, 1, 1), end_on=date(2019, 2, 1)
        )


def test_anniversaries_including_leap_day():
    assert anniversaries(date(2024, 2, 29), date(2027, 3, 1)) == [
        date(2025, 2, 28),
        date(2026, 2, 28),
        date(2027, 2, 28),
    ]


def test_chronic_delinquency_counts_the_prior_twelve_months():
    def bill(month, paid_day):
        return BillHistory(
            date(2026, month, 10),
            date(2026, month + 1, 10),
            date(2026, month + 1, paid_day) if paid_day else None,
        )

    bills = [bill(1, 5), bill(2, 12), bill(3, None), bill(4, 9)]  # February and March late
    assert late_occasions(bills, as_of=date(2026, 6, 1)) == [date(2026, 2, 10), date(2026, 3, 10)]
    assert not is_chronically_delinquent(
        bills=bills, disconnections_for_nonpayment=[], as_of=date(2026, 6, 1)
    )
    assert is_chronically_delinquent(
        bills=[*bills, bill(5, 20)], disconnections_for_nonpayment=[], as_of=date(2026, 7, 1)
    )
    assert is_chronically_delinquent(
        bills=[], disconnections_for_nonpayment=[date(2025, 9, 1)], as_of=date(2026, 6, 1)
    )
    assert not is_chronically_delinquent(
        bills=[], disconnections_for_nonpayment=[date(2025, 5, 1)], as_of=date(2026, 6, 1)
    )


def test_notice_and_final_contact_dates():
    assert earliest_disconnect_date(date(2026, 10, 1)) == date(2026, 10, 16)
    assert final_contact_by(date(2026, 10, 16)) == date(2026, 10, 14)


@pytest.mark.parametrize(
    ("day", "inside"),
    [
        (date(2026, 11, 14), False),
        (date(2026, 11, 15), True),
        (date(2027, 1, 5), True),
        (date(2027, 3, 15), True),
        (date(2027, 3, 16), False),
    ],
)
def test_winter_moratorium_bounds(day, inside):
    assert in_winter_moratorium(day) is inside


def test_each_protection_stops_a_disconnection():
    on = date(2026, 12, 10)
    base = ProtectionFacts(disconnect_on=on, bill_id=7)
    assert protections(base) == []
    good = MedicalCertificate(
        received_on=date(2026, 12, 8),
        profession="PHYSICIAN",
        billing_bill_id=7,
        affidavit_of_inability=True,
    )
    assert protections(ProtectionFacts(disconnect_on=on, bill_id=7, certificates=(good,))) == [
        MEDICAL
    ]
    late = MedicalCertificate(
        received_on=date(2026, 12, 9),
        profession="PHYSICIAN",
        billing_bill_id=7,
        affidavit_of_inability=True,
    )
    old_bill = MedicalCertificate(
        received_on=date(2026, 11, 1),
        profession="DENTIST",
        billing_bill_id=6,
        affidavit_of_inability=True,
    )
    no_affidavit = MedicalCertificate(
        received_on=date(2026, 12, 1),
        profession="CHIROPRACTOR",
        billing_bill_id=7,
        affidavit_of_inability=False,
    )
    assert (
        protections(
            ProtectionFacts(
                disconnect_on=on, bill_id=7, certificates=(late, old_bill, no_affidavit)
            )
        )
        == []
    )
    assert protections(
        ProtectionFacts(
            disconnect_on=on, bill_id=7, liheap_qualified=True, past_due_on_winter_start=False
        )
    ) == [WINTER]
    assert protections(ProtectionFacts(disconnect_on=on, bill_id=7, liheap_qualified=True)) == []
    assert protections(
        ProtectionFacts(disconnect_on=on, bill_id=7, liheap_qualified=True, agreement_kept=True)
    ) == [WINTER, AGREEMENT]
    assert (
        protections(
            ProtectionFacts(
                disconnect_on=date(2026, 10, 1),
                bill_id=7,
                liheap_qualified=True,
                past_due_on_winter_start=False,
            )
        )
        == []
    )
    assert protections(
        ProtectionFacts(
            disconnect_on=on,
            bill_id=7,
            disputed_under_investigation=True,
            co_op_hold="manager review",
        )
    ) == [DISPUTE, HOLD]
    assert winter_start(date(2027, 2, 1)) == date(2026, 11, 15)
