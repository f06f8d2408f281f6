"""The home page's work list: what is waiting for staff today, each with a count and the
page where it is worked. One count query per kind of work (twelve queries for eleven kinds), whatever the co-op's size.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Q
from django.urls import reverse

from coopcis.apps.billing.models import Bill, BillStatus
from coopcis.apps.capital_credits.models import ClaimRequest, ClaimRequestStatus
from coopcis.apps.collections.models import (
    ArrangementRequest,
    ArrangementStatus,
    CertificateUpload,
    CollectionCase,
    OrderStatus,
    ServiceOrder,
    Stage,
    UploadStatus,
)
from coopcis.apps.members.models import (
    AddressChangeRequest,
    AddressRequestStatus,
    ApplicationStatus,
    ServiceApplication,
)
from coopcis.apps.metering.models import ExceptionStatus, ReadException
from coopcis.apps.payments.lockbox.models import SuspenseStatus
from coopcis.apps.payments.models import RefundRequest, RefundStatus, SuspenseItem
from coopcis.apps.rebates.models import ClaimStatus, RebateClaim


@dataclass(frozen=True, slots=True)
class WorkItem:
    """A kind of work: how many are waiting, what it means and where to work it."""

    key: str
    label: str
    count: int
    help: str
    url: str


def collections_due(today: date) -> tuple[Q, Q]:
    """Open collection cases whose next step is due by ``today``, and open field orders
    scheduled by then."""
    cases = ~Q(stage=Stage.CLOSED) & Q(next_step_on__lte=today)
    orders = Q(status=OrderStatus.OPEN, scheduled_on__lte=today)
    return cases, orders


def work_items(*, today: date) -> list[WorkItem]:
    cases, orders = collections_due(today)
    return [
        WorkItem(
            "held-bills",
            "Held bills to review",
            Bill.objects.filter(status=BillStatus.HELD).count(),
            "Release with a note, or cancel and rebill.",
            reverse("backoffice:held_bills"),
        ),
        WorkItem(
            "read-exceptions",
            "Meter-read exceptions",
            ReadException.objects.filter(status=ExceptionStatus.OPEN).count(),
            "Accept the read or reject it for an estimate.",
            reverse("backoffice:read_exceptions"),
        ),
        WorkItem(
            "suspense",
            "Lockbox suspense items",
            SuspenseItem.objects.filter(status=SuspenseStatus.OPEN).count(),
            "Payments that matched no account: apply each to its member.",
            reverse("backoffice:suspense_items"),
        ),
        WorkItem(
            "applications",
            "Applications waiting",
            ServiceApplication.objects.filter(
                status__in=(ApplicationStatus.SUBMITTED, ApplicationStatus.APPROVED)
            ).count(),
            "Decide submitted applications; connect approved ones.",
            reverse("backoffice:applications") + "?status=open",
        ),
        WorkItem(
            "collections",
            "Collection steps due today",
            CollectionCase.objects.filter(cases).count()
            + ServiceOrder.objects.filter(orders).count(),
            "Cases whose next step is due and field orders scheduled by today.",
            reverse("backoffice:collections_due"),
        ),
        WorkItem(
            "refunds",
            "Refund requests",
            RefundRequest.objects.filter(status=RefundStatus.REQUESTED).count(),
            "Refund checks requested: record each check as it is issued.",
            reverse("backoffice:refund_requests"),
        ),
        WorkItem(
            "arrangements",
            "Payment arrangement requests",
            ArrangementRequest.objects.filter(status=ArrangementStatus.REQUESTED).count(),
            "Members asking to pay a bill in installments: approve or decline.",
            reverse("backoffice:arrangement_requests"),
        ),
        WorkItem(
            "address-changes",
            "Mailing address changes",
            AddressChangeRequest.objects.filter(status=AddressRequestStatus.REQUESTED).count(),
            "Members asking for bills to go to a new address: confirm or decline.",
            reverse("backoffice:address_requests"),
        ),
        WorkItem(
            "medical-certificates",
            "Medical certificates sent",
            CertificateUpload.objects.filter(status=UploadStatus.SUBMITTED).count(),
            "Seriously-ill certificates members sent: accept to protect the account, or reject.",
            reverse("backoffice:certificate_uploads"),
        ),
        WorkItem(
            "rebate-claims",
            "Rebate claims waiting",
            RebateClaim.objects.filter(
                status__in=(ClaimStatus.SUBMITTED, ClaimStatus.INSPECTING)
            ).count(),
            "Efficiency rebate claims to inspect, approve or deny.",
            reverse("backoffice:rebate_claims"),
        ),
        WorkItem(
            "capital-credit-claims",
            "Capital credit checks claimed",
            ClaimRequest.objects.filter(status=ClaimRequestStatus.REQUESTED).count(),
            "Members claiming an unclaimed retirement check: mail it, then record it claimed.",
            reverse("capital_credits:unclaimed"),
        ),
    ]
