"""What the account page's Collections card shows of the protections staff record.

Reads only. The account query of :func:`.queries.load_account` carries one ``EXISTS`` flag
per kind of record (:func:`record_flags`), so an account with none of them costs no
query here and the page's query count stays fixed; each kind present costs one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Exists
from django.utils import timezone

from coopcis.apps.backoffice.record_flags import exists_flags, has_records
from coopcis.apps.collections.models import (
    Agreement,
    AgreementStatus,
    CollectionCase,
    CoopHold,
    Dispute,
    LiheapQualification,
    MedicalCertificate,
    Stage,
    ThirdPartyContact,
)
from coopcis.apps.collections.services import (
    Protection,
    agreement_standing,
    certificate_protects,
    find_protections,
)
from coopcis.apps.credit.models import Deposit, DepositReceipt
from coopcis.apps.members.models import Account
from coopcis.core.collections import agreements as plan
from coopcis.core.collections import rules

#: The kinds of record, by the flag the account query carries.
RECORDS: dict[str, Any] = {
    "has_certificates": MedicalCertificate,
    "has_liheap": LiheapQualification,
    "has_payment_agreements": Agreement,
    "has_disputes": Dispute,
    "has_holds": CoopHold,
    "has_third_parties": ThirdPartyContact,
}


def today() -> date:
    """The co-op's local date: the default of every date on the forms, and the day the
    Collections card judges protections on (the one seam tests freeze)."""
    return timezone.localdate()


def record_flags() -> dict[str, Exists]:
    """Annotations for an account query: whether the account has each kind of record."""
    return exists_flags(RECORDS)


@dataclass
class CertificateRow:
    certificate: MedicalCertificate
    in_force: bool | None  # None: no open case to protect


@dataclass
class AgreementRow:
    agreement: Agreement
    standing: str
    installments: list[Any] = field(default_factory=list)


@dataclass
class HoldRow:
    hold: CoopHold
    state: str
    active: bool


def _agreement_standing(agreement: Agreement, as_of: date) -> str:
    if agreement.status == AgreementStatus.BROKEN:
        return f"Broken on {agreement.broken_on:%Y-%m-%d}, short ${agreement.shortfall_amount}"
    if agreement.status == AgreementStatus.COMPLETED:
        return "Completed"
    standing = agreement_standing(agreement, as_of=as_of)
    if standing.status == plan.BROKEN:
        return (
            f"Broken on {standing.broken_on:%Y-%m-%d}, short ${standing.shortfall.amount} "
            "(collection resumes at the next daily run)"
        )
    if standing.status == plan.COMPLETED:
        return "Completed (every installment covered)"
    return "Being kept"


def _hold_state(hold: CoopHold, as_of: date) -> tuple[str, bool]:
    if hold.released_on is not None and hold.released_on <= as_of:
        return f"Released {hold.released_on:%Y-%m-%d}", False
    if hold.until is not None and hold.until < as_of:
        return f"Ended {hold.until:%Y-%m-%d}", False
    if hold.placed_on > as_of:
        return f"From {hold.placed_on:%Y-%m-%d}", False
    return "Active", True


def _live_case(case: CollectionCase | None) -> CollectionCase | None:
    """The case protections can still stop: open and not yet disconnected."""
    if case is None or not case.is_open:
        return None
    return None if case.stage in (Stage.DISCONNECTED, Stage.RECONNECT_ORDERED) else case


def protection_records(
    account: Account, case: CollectionCase | None, *, as_of: date
) -> dict[str, object]:
    """Certificates (in force for the case or not), LIHEAP seasons, payment agreements with
    their schedule and standing, disputes, holds, the named third party, and the
    protections that hold today for the open case (``paused`` when one pauses it)."""
    live = _live_case(case)
    if live is not None:
        live.account = account  # already loaded: no second account query
    certificates = []
    if has_records(account, "has_certificates"):
        for certificate in MedicalCertificate.objects.filter(account=account).order_by(
            "-received_on", "-id"
        ):
            in_force = certificate_protects(certificate, live, as_of=as_of) if live else None
            certificates.append(CertificateRow(certificate, in_force))
    agreements = []
    if has_records(account, "has_payment_agreements"):
        for agreement in (
            Agreement.objects.filter(account=account)
            .prefetch_related("installments")
            .order_by("-made_on", "-id")
        ):
            standing = _agreement_standing(agreement, as_of)
            agreements.append(AgreementRow(agreement, standing, list(agreement.installments.all())))
    holds = []
    if has_records(account, "has_holds"):
        for hold in CoopHold.objects.filter(account=account).order_by("-placed_on", "-id"):
            holds.append(HoldRow(hold, *_hold_state(hold, as_of)))
    protections: list[Protection] = find_protections(live, as_of=as_of) if live else []
    return {
        "as_of": as_of,
        "certificates": certificates,
        "liheap_seasons": _listed(account, "has_liheap", LiheapQualification, "-season_start"),
        "payment_agreements": agreements,
        "disputes": _listed(account, "has_disputes", Dispute, "-opened_on", bill=True),
        "holds": holds,
        "third_party": (
            ThirdPartyContact.objects.filter(account=account, active=True).order_by("-id").first()
            if has_records(account, "has_third_parties")
            else None
        ),
        "protections_now": protections,
        "paused": any(p.code in rules.PAUSING for p in protections),
    }


def _listed(account: Account, flag: str, model: Any, order: str, bill: bool = False) -> list[Any]:
    if not has_records(account, flag):
        return []
    rows = model.objects.filter(account=account).order_by(order, "-id")
    return list(rows.select_related("bill") if bill else rows)


def attach_receipts(deposits: list[Deposit]) -> None:
    """Each deposit's receipts (without their PDFs) on ``deposit.receipt_list``: one query,
    none when there are no deposits."""
    if not deposits:
        return
    by_deposit: dict[int, list[DepositReceipt]] = {}
    for receipt in (
        DepositReceipt.objects.filter(deposit__in=deposits).defer("pdf").order_by("language")
    ):
        by_deposit.setdefault(receipt.deposit_id, []).append(receipt)
    for deposit in deposits:
        deposit.receipt_list = by_deposit.get(deposit.pk, [])  # type: ignore[attr-defined]
