"""The board of trustees (bylaws art. IV-VI): seats and terms, officers elected yearly,
board meetings and attendance, removal for absences or on members' charges, vacancies
filled by the board for the rest of the term. One function per change, atomic, refused
with the bylaw cited."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.db import transaction

from coopcis.apps.governance.models import (
    Attendance,
    AttendanceMark,
    BoardMeeting,
    BoardMeetingKind,
    Meeting,
    Office,
    OfficerTerm,
    RemovalCase,
    Trustee,
    TrusteeLeft,
)
from coopcis.apps.governance.residence import member_facts, members_of_record
from coopcis.apps.governance.services import cite, rules
from coopcis.apps.members.models import Membership
from coopcis.catalog.profiles import active_profile
from coopcis.core.errors import RuleViolation
from coopcis.core.governance import board as board_rules
from coopcis.core.governance import petitions
from coopcis.core.governance.meetings import is_majority


def sitting() -> list[Trustee]:
    return list(Trustee.objects.filter(left_on__isnull=True).order_by("district", "name"))


def sitting_trustee(number: str) -> Trustee:
    trustee = Trustee.objects.filter(left_on__isnull=True, membership__number=number).first()
    if trustee is None:
        raise RuleViolation(f"membership {number} is not a sitting trustee", field="trustee")
    return trustee


def _eligible(number: str, district: str, on: date) -> Membership:
    """art. IV sec. 2 (a)-(d) for a trustee seated by election or by the board."""
    facts = member_facts([number], on=on).get(number)
    _, problems = petitions.candidate_eligibility(candidate=facts, district=district, rules=rules())
    if problems:
        raise RuleViolation("; ".join(problems), field="membership")
    return Membership.objects.select_related("party").get(number=number)


@transaction.atomic
def seat_trustee(*, number: str, district: str, term_ends_year: int, started_on: date) -> Trustee:
    """Record a sitting trustee (the board as it stands when coopcis starts, or the demo's)."""
    membership = _eligible(number, district, started_on)
    in_district = Trustee.objects.filter(left_on__isnull=True, district=district).count()
    if in_district >= rules().trustees_per_district:
        raise RuleViolation(
            f"{district} already has {in_district} trustees ({cite('art. IV sec. 2')})",
            field="district",
        )
    return Trustee.objects.create(
        membership=membership,
        name=membership.party.display_name,
        district=district,
        term_ends_year=term_ends_year,
        started_on=started_on,
    )


@transaction.atomic
def elect_officers(*, on: date, offices: dict[str, str]) -> list[OfficerTerm]:
    """Officers elected by and from the board, yearly (art. VI sec. 1-2); the secretary
    and treasurer may be one person; each new term ends the office's previous one."""
    missing = [o.label for o in Office if o.value not in offices]
    if missing:
        raise RuleViolation(
            f"elect every office: {', '.join(missing)} ({cite('art. VI sec. 1')})", field="offices"
        )
    holders = [offices[o.value] for o in Office]
    others = [offices[Office.PRESIDENT], offices[Office.VICE_PRESIDENT]]
    if len(set(others)) < 2 or set(others) & {offices[Office.SECRETARY], offices[Office.TREASURER]}:
        raise RuleViolation(
            f"only the secretary and treasurer may be one person ({cite('art. VI sec. 1')})",
            field="offices",
        )
    trustees = {number: sitting_trustee(number) for number in set(holders)}
    OfficerTerm.objects.filter(ended_on__isnull=True).update(ended_on=on)
    return [
        OfficerTerm.objects.create(
            trustee=trustees[offices[o.value]], office=o.value, elected_on=on
        )
        for o in Office
    ]


def officers() -> dict[str, Trustee]:
    return {
        term.office: term.trustee
        for term in OfficerTerm.objects.filter(ended_on__isnull=True).select_related("trustee")
    }


@transaction.atomic
def call_board_meeting(
    *, on: date, kind: str, notice_given_on: date | None = None, purpose: str = ""
) -> BoardMeeting:
    """A regular board meeting (by resolution, no notice) or a special one on five days'
    written notice (art. V sec. 2-3)."""
    if kind == BoardMeetingKind.SPECIAL:
        if notice_given_on is None:
            raise RuleViolation(
                f"a special board meeting needs written notice ({cite('art. V sec. 3')})",
                field="notice-on",
            )
        board_rules.check_special_board_notice(
            notice_on=notice_given_on, meeting_on=on, rules=rules()
        )
    return BoardMeeting.objects.create(
        kind=kind, on=on, notice_given_on=notice_given_on, purpose=purpose
    )


@transaction.atomic
def record_attendance(
    *, board_meeting_id: int, present: Sequence[str], excused: Sequence[str] = ()
) -> tuple[bool, list[Trustee]]:
    """Mark every sitting trustee present, absent excused (the remaining trustees found a
    bona fide reason) or absent unexcused; returns whether a majority was present (art. V
    sec. 4) and the trustees now flagged for removal (art. IV sec. 2(d))."""
    meeting = BoardMeeting.objects.select_for_update().filter(pk=board_meeting_id).first()
    if meeting is None:
        raise RuleViolation(f"no board meeting {board_meeting_id}", field="board-meeting")
    board = {
        t.membership.number: t
        for t in Trustee.objects.filter(left_on__isnull=True).select_related("membership")
    }
    strangers = sorted((set(present) | set(excused)) - set(board))
    if strangers:
        raise RuleViolation(f"not sitting trustees: {', '.join(strangers)}", field="present")
    meeting.attendance.all().delete()
    for number, trustee in board.items():
        mark = (
            AttendanceMark.PRESENT
            if number in present
            else AttendanceMark.EXCUSED
            if number in excused
            else AttendanceMark.UNEXCUSED
        )
        Attendance.objects.create(board_meeting=meeting, trustee=trustee, mark=mark)
    flagged = []
    for trustee in board.values():
        marks = list(
            Attendance.objects.filter(trustee=trustee)
            .order_by("board_meeting__on", "board_meeting_id")
            .values_list("mark", flat=True)
        )
        if (
            board_rules.is_flagged_for_removal(marks, rules=rules())
            and not trustee.flagged_for_removal
        ):
            trustee.flagged_for_removal = True
            trustee.save()
        if trustee.flagged_for_removal:
            flagged.append(trustee)
    has_quorum = len(set(present)) >= board_rules.board_quorum(rules=rules())
    return has_quorum, flagged


@transaction.atomic
def remove_for_absences(*, number: str, on: date, board_meeting_id: int) -> Trustee:
    """The board removes a trustee flagged for three consecutive unexcused absences (art. IV
    sec. 2(d)); the removal is recorded in that board meeting's minutes."""
    trustee = sitting_trustee(number)
    if not trustee.flagged_for_removal:
        raise RuleViolation(
            f"{trustee.name} has not missed {rules().consecutive_absences_for_removal} "
            f"consecutive meetings without a bona fide reason ({cite('art. IV sec. 2(d)')})",
            field="trustee",
        )
    meeting = BoardMeeting.objects.get(pk=board_meeting_id)
    _leave(trustee, on=on, reason=TrusteeLeft.REMOVED_ABSENCES)
    meeting.minutes += (
        f"{trustee.name} ({trustee.district}) removed for absence from "
        f"{rules().consecutive_absences_for_removal} consecutive meetings without a bona fide "
        f"reason ({cite('art. IV sec. 2(d)')}); the trustee is notified.\n"
    )
    meeting.save()
    return trustee


def _leave(trustee: Trustee, *, on: date, reason: str) -> None:
    trustee.left_on = on
    trustee.left_reason = reason
    trustee.save()
    OfficerTerm.objects.filter(trustee=trustee, ended_on__isnull=True).update(ended_on=on)


def _vacated(district: str, *, on: date) -> Trustee | None:
    """The latest trustee of ``district`` to leave before the term ended (removed, resigned,
    died) whose term is not over by ``on``: the term a vacancy is filled for."""
    return (
        Trustee.objects.filter(district=district, left_on__isnull=False)
        .exclude(left_reason=TrusteeLeft.TERM_ENDED)
        .filter(term_ends_year__gt=on.year - 1)
        .order_by("-left_on", "-pk")
        .first()
    )


def vacancies(*, on: date) -> list[tuple[str, Trustee | None]]:
    """Each empty seat by district (two per district, art. IV sec. 1), with the trustee who
    left it when the board may fill it for the rest of that term (art. IV sec. 5); None when
    the seat waits for the members' election."""
    counts: dict[str, int] = {}
    for trustee in sitting():
        counts[trustee.district] = counts.get(trustee.district, 0) + 1
    empty = []
    for district in active_profile().district_codes:
        missing = rules().trustees_per_district - counts.get(district, 0)
        if missing > 0:
            vacated = _vacated(district, on=on)
            empty += [(district, vacated)] + [(district, None)] * (missing - 1)
    return empty


@transaction.atomic
def fill_vacancy(*, district: str, number: str, on: date) -> Trustee:
    """A vacancy is filled by a majority of the remaining trustees for the unexpired part of
    the term (art. IV sec. 5); the appointee must be eligible as a trustee (sec. 2)."""
    if Trustee.objects.filter(left_on__isnull=True, district=district).count() >= (
        rules().trustees_per_district
    ):
        raise RuleViolation(f"no vacancy in {district}", field="district")
    vacated = _vacated(district, on=on)
    if vacated is None:
        raise RuleViolation(f"no unexpired term to fill in {district}", field="district")
    membership = _eligible(number, district, on)
    return Trustee.objects.create(
        membership=membership,
        name=membership.party.display_name,
        district=district,
        term_ends_year=vacated.term_ends_year,
        started_on=on,
        appointed=True,
    )


@transaction.atomic
def bring_charges(
    *,
    number: str,
    meeting_id: int,
    charges: str,
    signers: Sequence[str],
    filed_on: date,
    informed_on: date,
    office: str = "",
) -> RemovalCase:
    """Members' charges against a trustee or officer with a petition of ten per cent of the
    members, the person informed in writing five days before the meeting (art. IV sec. 4,
    art. VI sec. 3)."""
    trustee = sitting_trustee(number)
    meeting = Meeting.objects.filter(pk=meeting_id).first()
    if meeting is None:
        raise RuleViolation(f"no meeting {meeting_id}", field="meeting")
    board_rules.check_removal_notice(informed_on=informed_on, meeting_on=meeting.on, rules=rules())
    review = petitions.review_members_petition(
        signers=signers,
        facts=member_facts(signers, on=filed_on),
        members_of_record=members_of_record(),
        percent=rules().removal_petition_percent,
    )
    if not review.valid:
        raise RuleViolation(
            f"{review.valid_signatures} valid signatures; charges need a petition of "
            f"{review.required} ({rules().removal_petition_percent}% of the members, "
            f"{cite('art. IV sec. 4')})",
            field="signers",
        )
    return RemovalCase.objects.create(
        trustee=trustee,
        office=office,
        charges=charges,
        signers=list(signers),
        valid_signatures=review.valid_signatures,
        required_signatures=review.required,
        filed_on=filed_on,
        meeting=meeting,
        informed_on=informed_on,
    )


@transaction.atomic
def decide_charges(
    *, case_id: int, hearing: str, votes_for: int, votes_against: int
) -> RemovalCase:
    """The hearing and the members' vote, recorded (a majority of those voting, art. III
    sec. 5): removed from the board, or from the office only when the charges were against
    an officer."""
    case = (
        RemovalCase.objects.select_for_update().select_related("trustee", "meeting").get(pk=case_id)
    )
    if case.removed is not None:
        raise RuleViolation(f"charges {case_id} were decided", field="case")
    case.hearing = hearing
    case.votes_for, case.votes_against = votes_for, votes_against
    case.removed = is_majority(votes_for=votes_for, votes_against=votes_against)
    case.save()
    if case.removed:
        if case.office:
            OfficerTerm.objects.filter(
                trustee=case.trustee, office=case.office, ended_on__isnull=True
            ).update(ended_on=case.meeting.on)
        else:
            _leave(case.trustee, on=case.meeting.on, reason=TrusteeLeft.REMOVED_BY_MEMBERS)
    case.meeting.minutes += (
        f"Charges against {case.trustee.name}{' as ' + case.office.lower() if case.office else ''}"
        f" heard; {votes_for} for removal, {votes_against} against: "
        f"{'removed' if case.removed else 'not removed'} ({cite('art. IV sec. 4')}).\n"
    )
    case.meeting.save()
    return case
