"""The members an outage reaches, as its page lists them: life-support households first
(every one of them), then the others by account number up to a page's worth."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from coopcis.apps.outages.informing import service_points_affected
from coopcis.apps.outages.life_support import accounts_reached, life_support_points
from coopcis.apps.outages.models import LifeSupportCertificate, Outage
from coopcis.apps.outages.network import current_network
from coopcis.apps.premises.models import ServiceAgreement

#: Members without the flag shown on the outage's page (a feeder reaches thousands).
OTHERS_SHOWN = 100


@dataclass(frozen=True)
class MemberRow:
    number: str
    name: str
    phone: str
    service_point: str
    life_support: bool
    equipment: str = ""
    expires_on: date | None = None


@dataclass(frozen=True)
class Listed:
    rows: list[MemberRow]
    total: int  # accounts the outage reaches
    life_support: int  # of them flagged

    @property
    def not_shown(self) -> int:
        return self.total - len(self.rows)


def members_listed(outage: Outage, *, others_shown: int = OTHERS_SHOWN) -> Listed:
    """The outage's accounts (an agreement in force under its device, less nested outages'
    members only when this one is restored and they are not), flagged ones first."""
    today = timezone.localdate()
    codes = service_points_affected(outage)
    flagged = accounts_reached(current_network(), outage.device_code, life_support_points(today))
    agreements = (
        ServiceAgreement.objects.filter(service_point__code__in=codes, end_on__isnull=True)
        .select_related("account__party", "service_point")
        .order_by("account__number", "service_point__code")
    )
    certificates = {
        c.account.number: c
        for c in LifeSupportCertificate.objects.filter(account__number__in=flagged)
        .select_related("account")
        .order_by("expires_on")
        if c.counts_on(today)
    }
    first: list[MemberRow] = []
    others: list[MemberRow] = []
    seen: set[str] = set()
    total = 0
    for agreement in agreements.iterator():
        account = agreement.account
        if account.number in seen:
            continue
        seen.add(account.number)
        total += 1
        certificate = certificates.get(account.number)
        row = MemberRow(
            number=account.number,
            name=account.party.display_name,
            phone=account.phone or account.party.phone,
            service_point=agreement.service_point.code,
            life_support=certificate is not None,
            equipment=certificate.equipment if certificate else "",
            expires_on=certificate.expires_on if certificate else None,
        )
        if certificate is not None:
            first.append(row)
        elif len(others) < others_shown:
            others.append(row)
    return Listed(rows=first + others, total=total, life_support=len(first))
