"""The code of ethics (SEC, seed 000): conflict-of-interest disclosures (a signed statement
each year and one per decision, recusals recorded in the board's minutes), confidential
reports of suspected violations, district member lists for candidates on the same terms as
incumbents (names and addresses only, each request logged), and the board's review of who
read member data."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, Max, Min

from coopcis.apps.audit.context import current_actor
from coopcis.apps.audit.models import MemberDataRead
from coopcis.apps.governance.models import (
    BoardMeeting,
    ConflictDisclosure,
    DisclosureKind,
    EthicsReport,
    MemberListRequest,
    NominatingPetition,
    Trustee,
)
from coopcis.apps.governance.residence import districts_of, voting_members
from coopcis.apps.members.models import Account, Membership
from coopcis.core.errors import RuleViolation


@transaction.atomic
def disclose(
    *,
    kind: str,
    year: int,
    interests: str,
    signed_on: date,
    membership_number: str = "",
    employee: str = "",
    competing_business: str = "",
    decision: str = "",
    board_meeting_id: int | None = None,
    recused: bool = False,
) -> ConflictDisclosure:
    """Record a disclosure by a trustee or candidate (by membership) or an employee (by
    sign-in). One for a decision names it; a recusal is written into the board meeting's
    minutes."""
    if bool(membership_number) == bool(employee):
        raise RuleViolation("name either the membership or the employee", field="who")
    if kind == DisclosureKind.DECISION and not decision:
        raise RuleViolation("a disclosure for a decision names the decision", field="decision")
    membership = trustee = user = None
    if membership_number:
        membership = (
            Membership.objects.select_related("party").filter(number=membership_number).first()
        )
        if membership is None:
            raise RuleViolation(f"no membership {membership_number}", field="membership")
        trustee = Trustee.objects.filter(membership=membership, left_on__isnull=True).first()
        name = membership.party.display_name
    else:
        user = get_user_model().objects.filter(username=employee).first()
        if user is None:
            raise RuleViolation(f"no staff sign-in {employee}", field="employee")
        name = user.get_full_name() or user.get_username()
    meeting = None
    if board_meeting_id is not None:
        meeting = BoardMeeting.objects.select_for_update().filter(pk=board_meeting_id).first()
        if meeting is None:
            raise RuleViolation(f"no board meeting {board_meeting_id}", field="board-meeting")
    disclosure = ConflictDisclosure.objects.create(
        kind=kind,
        trustee=trustee,
        membership=membership,
        employee=user,
        person_name=name,
        year=year,
        interests=interests,
        competing_business=competing_business,
        decision=decision,
        board_meeting=meeting,
        recused=recused,
        signed_on=signed_on,
        recorded_by=current_actor().label,
    )
    if meeting is not None and recused:
        meeting.minutes += f'{name} disclosed an interest in "{decision}" and recused.\n'
        meeting.save()
    return disclosure


def missing_statements(year: int) -> list[Trustee]:
    """Sitting trustees without a signed yearly statement for ``year``."""
    signed = ConflictDisclosure.objects.filter(kind=DisclosureKind.ANNUAL, year=year)
    return list(
        Trustee.objects.filter(left_on__isnull=True)
        .exclude(membership__in=signed.values("membership"))
        .order_by("district", "name")
    )


def missing_employee_statements(year: int) -> list[Any]:
    """Active staff sign-ins (those holding a role) without a signed yearly statement for
    ``year``; a member's portal sign-in holds no role, so it is not among them."""
    signed = ConflictDisclosure.objects.filter(
        kind=DisclosureKind.ANNUAL, year=year, employee__isnull=False
    )
    return list(
        get_user_model()
        .objects.filter(is_active=True, groups__isnull=False)
        .exclude(pk__in=signed.values("employee"))
        .distinct()
        .order_by("username")
    )


def report_violation(*, subject: str, text: str, standard: str, received_on: date) -> EthicsReport:
    """A report of a suspected violation; readable only by those the policy names."""
    if standard and standard not in "ABCDEF":
        raise RuleViolation("the standards of conduct are A to F", field="standard")
    return EthicsReport.objects.create(
        received_on=received_on,
        reported_by=current_actor().label,
        subject=subject,
        text=text,
        standard=standard,
    )


@transaction.atomic
def district_member_list(
    *, district: str, for_number: str, on: date
) -> tuple[MemberListRequest, list[tuple[str, str]]]:
    """Names and mailing addresses of the members residing in ``district``, for a candidate
    nominated there or an incumbent trustee of it: the same list, the request logged."""
    trustee = Trustee.objects.filter(
        left_on__isnull=True, membership__number=for_number, district=district
    ).first()
    petition = (
        NominatingPetition.objects.filter(
            candidate_number=for_number, district=district, valid=True
        )
        .order_by("-meeting__on")
        .first()
    )
    if trustee is None and petition is None:
        raise RuleViolation(
            f"{for_number} is neither a trustee of {district} nor a candidate nominated there: "
            "member lists are confidential (code of ethics, confidentiality of information)",
            field="for",
        )
    ids = [mid for mid, d in districts_of(None, on=on).items() if d == district]
    members = Membership.objects.filter(voting_members(), pk__in=ids).select_related("party")
    accounts: dict[int, Account] = {}
    for account in Account.objects.filter(party__membership__in=ids).order_by("-opened_on", "-pk"):
        accounts[account.party_id] = account
    rows = []
    for member in members.order_by("party__display_name"):
        account = accounts.get(member.party_id)
        rows.append(
            (member.party.display_name, account.mailing_address.one_line() if account else "")
        )
    request = MemberListRequest.objects.create(
        requested_by=current_actor().label,
        for_name=(trustee.name if trustee else petition.candidate_name),  # type: ignore[union-attr]
        for_membership=trustee.membership if trustee else petition.candidate,  # type: ignore[union-attr]
        role="INCUMBENT" if trustee else "CANDIDATE",
        district=district,
        meeting=petition.meeting if petition else None,
        members_listed=len(rows),
    )
    return request, rows


def access_summary(*, since: datetime, until: datetime) -> dict[str, Any]:
    """For the board: who read member data in ``[since, until)``, how many reads of which
    kind on how many accounts, and the member lists given out."""
    reads = MemberDataRead.objects.filter(at__gte=since, at__lt=until)
    by_reader = list(
        reads.values("reader_label", "kind")
        .annotate(
            reads=Count("id"),
            accounts=Count("account_number", distinct=True),
            first=Min("at"),
            latest=Max("at"),
        )
        .order_by("reader_label", "kind")
    )
    lists = MemberListRequest.objects.filter(requested_at__gte=since, requested_at__lt=until)
    return {
        "since": since.isoformat(),
        "until": until.isoformat(),
        "reads": reads.count(),
        "accounts": reads.values("account_number").distinct().count(),
        "by_reader": [
            {
                "reader": r["reader_label"],
                "kind": r["kind"],
                "reads": r["reads"],
                "accounts": r["accounts"],
                "first": r["first"].isoformat(),
                "latest": r["latest"].isoformat(),
            }
            for r in by_reader
        ],
        "member_lists": [
            {
                "at": m.requested_at.isoformat(),
                "by": m.requested_by,
                "for": m.for_name,
                "role": m.role,
                "district": m.district,
                "members": m.members_listed,
            }
            for m in lists
        ],
    }
