"""When each collection step may happen, and what stops a disconnection.

Residential disconnection for non-payment (17.5.410 NMAC; SEC policies 411, 421, 422;
OCEC handbook "Bills"):

1. unpaid after the due date, the bill is in arrears and a second notice goes out;
2. a written disconnection notice, in English and Spanish, at least 15 days before the
   disconnection date (``NOTICE_DAYS``), with the past-due amount, the date, the member's
   rights and responsibilities, and budget and installment plans; a copy to the third
   party the member named;
3. a final contact at least 2 days before the date (``FINAL_CONTACT_DAYS``);
4. the disconnect order, on or after the date, only if nothing protects the member.

Protections, each of which stops a disconnection and says why: a seriously-ill
certificate from a licensed physician, dentist, osteopath or chiropractor received at
least 2 days before the date, with the financial-inability affidavit, valid for that
billing only (policy 422); the winter moratorium from November 15 to March 15 for a
LIHEAP-qualified member who had no past-due charges on November 15 or keeps a settlement
or installment agreement; an agreement being kept; a disputed amount under
investigation; a hold the co-op placed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

NOTICE_DAYS = 15
FINAL_CONTACT_DAYS = 2
CERTIFICATE_LEAD_DAYS = 2
SECOND_NOTICE_AFTER_DUE_DAYS = 1

MEDICAL = "MEDICAL_CERTIFICATE"
WINTER = "WINTER_MORATORIUM"
AGREEMENT = "AGREEMENT_KEPT"
DISPUTE = "DISPUTE_UNDER_INVESTIGATION"
HOLD = "CO_OP_HOLD"
#: Protections that pause the whole case (no further notices), not only the disconnection.
PAUSING = (AGREEMENT, DISPUTE, HOLD)

CERTIFYING_PROFESSIONS = ("PHYSICIAN", "DENTIST", "OSTEOPATH", "CHIROPRACTOR")


def in_winter_moratorium(day: date) -> bool:
    """November 15 to March 15, inclusive (the heating season)."""
    month_day = (day.month, day.day)
    return month_day >= (11, 15) or month_day <= (3, 15)


def winter_start(day: date) -> date:
    """The November 15 that began the heating season ``day`` falls in."""
    year = day.year if (day.month, day.day) >= (11, 15) else day.year - 1
    return date(year, 11, 15)


def earliest_disconnect_date(notice_sent_on: date) -> date:
    """The first day a disconnection may happen after a notice mailed on ``notice_sent_on``."""
    return notice_sent_on + timedelta(days=NOTICE_DAYS)


def final_contact_by(disconnect_on: date) -> date:
    """The last day the final contact may be made."""
    return disconnect_on - timedelta(days=FINAL_CONTACT_DAYS)


@dataclass(frozen=True, kw_only=True, slots=True)
class MedicalCertificate:
    received_on: date
    profession: str
    billing_bill_id: int
    affidavit_of_inability: bool


@dataclass(frozen=True, kw_only=True, slots=True)
class ProtectionFacts:
    """What the co-op knows about a member facing disconnection on ``disconnect_on``.

    ``disconnect_on`` is the date the notice gave (certificates are timed against it);
    ``work_on`` the day the crew would go, when later (the moratorium is judged on it).
    """

    disconnect_on: date
    bill_id: int
    work_on: date | None = None
    residential: bool = True
    certificates: tuple[MedicalCertificate, ...] = ()
    liheap_qualified: bool = False
    past_due_on_winter_start: bool = True
    agreement_kept: bool = False
    disputed_under_investigation: bool = False
    co_op_hold: str = ""


def _certificate_protects(certificate: MedicalCertificate, facts: ProtectionFacts) -> bool:
    return (
        certificate.profession in CERTIFYING_PROFESSIONS
        and certificate.affidavit_of_inability
        and certificate.billing_bill_id == facts.bill_id
        and certificate.received_on <= facts.disconnect_on - timedelta(days=CERTIFICATE_LEAD_DAYS)
    )


def protections(facts: ProtectionFacts) -> list[str]:
    """Every protection that stops disconnecting this member on that date (empty: none)."""
    found = []
    if facts.residential and any(_certificate_protects(c, facts) for c in facts.certificates):
        found.append(MEDICAL)
    if (
        facts.residential
        and facts.liheap_qualified
        and in_winter_moratorium(facts.work_on or facts.disconnect_on)
        and (not facts.past_due_on_winter_start or facts.agreement_kept)
    ):
        found.append(WINTER)
    if facts.agreement_kept:
        found.append(AGREEMENT)
    if facts.disputed_under_investigation:
        found.append(DISPUTE)
    if facts.co_op_hold:
        found.append(HOLD)
    return found
