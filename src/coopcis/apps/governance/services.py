"""Members' meetings and trustee elections: every change is one function, atomic, with the
meeting row locked, refused with the bylaw cited (``RuleViolation``) and nothing changed.

Bylaws art. III (meetings, notice, quorum, voting) and IV sec. 2-3 (districts, petitions,
plurality, the coin toss). The rules themselves are in ``coopcis.core.governance``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date, time
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone

from coopcis.apps.audit.context import current_actor
from coopcis.apps.governance.models import (
    BallotIssued,
    CalledBy,
    CheckIn,
    CoinToss,
    Meeting,
    MeetingKind,
    NominatingPetition,
    Question,
    SeatsUp,
    Trustee,
    TrusteeLeft,
    Vote,
)
from coopcis.apps.governance.residence import districts_of, member_facts, members_of_record
from coopcis.apps.members.models import Membership
from coopcis.catalog.profiles import active_profile
from coopcis.core.errors import RuleViolation
from coopcis.core.governance import elections, meetings, petitions
from coopcis.core.governance.board import term_end_year
from coopcis.core.governance.rules import GovernanceRules


def rules() -> GovernanceRules:
    return active_profile().governance


def cite(section: str) -> str:
    return f"{rules().source} {section}"


def _actor() -> str:
    return current_actor().label


def find_meeting(meeting_id: int, *, lock: bool = False) -> Meeting:
    query = Meeting.objects.select_for_update() if lock else Meeting.objects
    meeting = query.filter(pk=meeting_id).first()
    if meeting is None:
        raise RuleViolation(f"no meeting {meeting_id}", field="meeting")
    return meeting


def _open(meeting: Meeting) -> None:
    if meeting.certified_at is not None:
        raise RuleViolation(
            f"meeting {meeting.pk} was certified on {meeting.certified_at:%Y-%m-%d}; its record "
            "is closed",
            field="meeting",
        )


def _membership(number: str, field: str) -> Membership:
    membership = Membership.objects.select_related("party").filter(number=number).first()
    if membership is None:
        raise RuleViolation(f"no membership {number}", field=field)
    return membership


# --- calling a meeting -------------------------------------------------------------------


def seats_from_terms(year: int) -> dict[str, int]:
    """Seats up at a year's annual meeting: the sitting trustees whose terms end that year,
    by district (art. IV sec. 2, staggered). With no board on record, every seat."""
    codes = active_profile().district_codes
    sitting = Trustee.objects.filter(left_on__isnull=True)
    if not sitting.exists():
        return {code: rules().trustees_per_district for code in codes}
    ending = Counter(sitting.filter(term_ends_year=year).values_list("district", flat=True))
    vacant = {
        code: rules().trustees_per_district - sitting.filter(district=code).count()
        for code in codes
    }
    return {code: ending.get(code, 0) + max(0, vacant[code]) for code in codes}


def _check_seats(seats: dict[str, int]) -> None:
    codes = active_profile().district_codes
    for district, count in seats.items():
        if district not in codes:
            raise RuleViolation(
                f"not a trustee district: {district!r} (districts: {', '.join(codes)})",
                field="seats",
            )
        if not 0 <= count <= rules().trustees_per_district:
            raise RuleViolation(
                f"{district} has {rules().trustees_per_district} trustees; {count} seats cannot "
                f"be up ({cite('art. IV sec. 2')})",
                field="seats",
            )


def _check_callers(called_by: str, callers: Sequence[str]) -> list[str]:
    """art. III sec. 2: three trustees, or a petition of ten per cent of the members."""
    if called_by == CalledBy.THREE_TRUSTEES:
        sitting = set(
            Trustee.objects.filter(
                left_on__isnull=True, membership__number__in=list(callers)
            ).values_list("membership__number", flat=True)
        )
        if len(sitting) < 3:
            raise RuleViolation(
                f"{len(sitting)} sitting trustees named; a special meeting is called by three "
                f"({cite('art. III sec. 2')})",
                field="callers",
            )
        return sorted(sitting)
    if called_by == CalledBy.PETITION:
        today = timezone.localdate()
        review = petitions.review_members_petition(
            signers=callers,
            facts=member_facts(callers, on=today),
            members_of_record=members_of_record(),
            percent=rules().special_meeting_petition_percent,
        )
        if not review.valid:
            raise RuleViolation(
                f"{review.valid_signatures} valid signatures; a special meeting on petition needs "
                f"{review.required} ({rules().special_meeting_petition_percent}% of the members, "
                f"{cite('art. III sec. 2')})",
                field="callers",
            )
        return list(callers)
    return []


@transaction.atomic
def create_meeting(
    *,
    on: date,
    kind: str,
    place: str = "",
    starts_at: time | None = None,
    called_by: str | None = None,
    callers: Sequence[str] = (),
    purpose: str = "",
    seats: dict[str, int] | None = None,
) -> Meeting:
    """Call a members' meeting: the annual meeting in the bylaws' month (art. III sec. 1), or
    a special meeting called by those art. III sec. 2 names."""
    if kind == MeetingKind.ANNUAL:
        meetings.check_annual_meeting_day(on=on, rules=rules())
        if Meeting.objects.filter(kind=MeetingKind.ANNUAL, on__year=on.year).exists():
            raise RuleViolation(
                f"the {on.year} annual meeting is already called ({cite('art. III sec. 1')})",
                field="date",
            )
        called_by = CalledBy.BYLAWS
    else:
        called_by = called_by or CalledBy.BOARD
        if called_by == CalledBy.BYLAWS:
            raise RuleViolation(
                "a special meeting is called by the board, three trustees, "
                "the president or a petition",
                field="called-by",
            )
    checked_callers = _check_callers(called_by, callers)
    if seats is None:
        seats = seats_from_terms(on.year) if kind == MeetingKind.ANNUAL else {}
    _check_seats(seats)
    meeting = Meeting.objects.create(
        kind=kind,
        on=on,
        place=place,
        starts_at=(starts_at or time(18, 0)).strftime("%H:%M"),
        called_by=called_by,
        callers=checked_callers,
        purpose=purpose,
    )
    SeatsUp.objects.bulk_create(
        SeatsUp(meeting=meeting, district=d, seats=n) for d, n in sorted(seats.items())
    )
    return meeting


def seats_of(meeting: Meeting) -> dict[str, int]:
    return dict(meeting.seats_up.values_list("district", "seats"))


# --- nominations -------------------------------------------------------------------------


@transaction.atomic
def file_petition(
    *,
    meeting_id: int,
    district: str,
    candidate_number: str,
    signers: Sequence[str],
    filed_on: date,
) -> NominatingPetition:
    """Record a nominating petition, valid or not, with its problems (art. IV sec. 2-3)."""
    meeting = find_meeting(meeting_id, lock=True)
    _open(meeting)
    codes = active_profile().district_codes
    if district not in codes:
        raise RuleViolation(f"not a trustee district: {district!r}", field="district")
    facts = member_facts([*signers, candidate_number], on=meeting.on)
    candidate = facts.get(candidate_number)
    already = NominatingPetition.objects.filter(
        meeting=meeting, candidate_number=candidate_number, valid=True
    ).exists()
    review = petitions.review_nomination(
        district=district,
        candidate=candidate,
        signers=signers,
        facts=facts,
        filed_on=filed_on,
        meeting_on=meeting.on,
        seats=seats_of(meeting).get(district, 0),
        already_nominated=already,
        rules=rules(),
    )
    membership = Membership.objects.select_related("party").filter(number=candidate_number).first()
    return NominatingPetition.objects.create(
        meeting=meeting,
        district=district,
        candidate=membership,
        candidate_number=candidate_number,
        candidate_name=membership.party.display_name if membership else "",
        candidate_address=_address(membership) if membership else "",
        filed_on=filed_on,
        signers=list(signers),
        valid=review.valid,
        valid_signatures=review.valid_signatures,
        problems=list(review.problems),
        struck=[list(pair) for pair in review.struck],
        eligibility=review.eligibility,
        recorded_by=_actor(),
    )


def _address(membership: Membership) -> str:
    """The member's mailing address of record: the oldest open account's."""
    account = membership.party.accounts.order_by("opened_on", "pk").first()
    if account is None:
        return ""
    return account.mailing_address.one_line()


def candidates(meeting: Meeting) -> dict[str, list[NominatingPetition]]:
    """The ballot: candidates nominated by a valid petition, by district."""
    ballot: dict[str, list[NominatingPetition]] = {}
    for petition in meeting.petitions.filter(valid=True).order_by("candidate_name", "pk"):
        ballot.setdefault(petition.district, []).append(petition)
    return ballot


# --- at the meeting ----------------------------------------------------------------------


def quorum(meeting: Meeting) -> meetings.Quorum:
    """art. III sec. 4: two per cent of all members of record, present in person."""
    if meeting.certified_results:
        frozen = meeting.certified_results["quorum"]
        return meetings.Quorum(frozen["members_of_record"], frozen["present"], frozen["required"])
    return meetings.members_quorum(
        members_of_record=members_of_record(),
        present=CheckIn.objects.filter(meeting=meeting).count(),
        rules=rules(),
    )


@transaction.atomic
def check_in(*, meeting_id: int, number: str) -> CheckIn:
    """Register a member present in person: one check-in per membership (art. III sec. 5)."""
    meeting = find_meeting(meeting_id, lock=True)
    _open(meeting)
    membership = _membership(number, "membership")
    if not membership.can_vote:
        raise RuleViolation(
            f"membership {number} is {membership.get_kind_display().lower()}, "
            f"{membership.get_status_display().lower()}: only active members are registered "
            f"to vote ({cite('art. I sec. 1, art. III sec. 5')})",
            field="membership",
        )
    if CheckIn.objects.filter(meeting=meeting, membership=membership).exists():
        raise RuleViolation(
            f"membership {number} is already checked in: one member, one vote "
            f"({cite('art. III sec. 5')})",
            field="membership",
        )
    district = districts_of([membership.pk], on=meeting.on).get(membership.pk, "")
    try:
        with transaction.atomic():
            return CheckIn.objects.create(
                meeting=meeting, membership=membership, district=district, by=_actor()
            )
    except IntegrityError:
        raise RuleViolation(
            f"membership {number} is already checked in ({cite('art. III sec. 5')})",
            field="membership",
        ) from None


@transaction.atomic
def cast_vote(*, meeting_id: int, number: str, choices: Sequence[str]) -> BallotIssued:
    """One ballot per membership present and residing in the district; no proxies."""
    meeting = find_meeting(meeting_id, lock=True)
    _open(meeting)
    membership = _membership(number, "membership")
    present = CheckIn.objects.filter(meeting=meeting, membership=membership).first()
    if present is None:
        raise RuleViolation(
            f"membership {number} is not checked in: members vote in person, no proxies "
            f"({cite('art. III sec. 5')})",
            field="membership",
        )
    if not quorum(meeting).has_quorum:
        raise RuleViolation(
            f"no quorum: {quorum(meeting).present} present of {quorum(meeting).required} needed;"
            f" the meeting may only adjourn ({cite('art. III sec. 4')})",
            field="meeting",
        )
    if BallotIssued.objects.filter(meeting=meeting, membership=membership).exists():
        raise RuleViolation(
            f"membership {number} has voted: one vote per member ({cite('art. III sec. 5')})",
            field="membership",
        )
    district = present.district
    seats = seats_of(meeting).get(district, 0) if district else 0
    on_ballot = {p.candidate_number: p for p in candidates(meeting).get(district, [])}
    if not seats or not on_ballot:
        strangers = ", ".join(choices)
        raise RuleViolation(
            f"membership {number} resides in {district or 'no district'}, which elects no "
            f"trustee here; {strangers} may be voted for only by members residing in their "
            f"district ({cite('art. IV sec. 2')})",
            field="for",
        )
    elsewhere = {
        p.candidate_number: d
        for d, found in candidates(meeting).items()
        if d != district
        for p in found
    }
    others = [f"{n} stands in {elsewhere[n]}" for n in choices if n in elsewhere]
    if others:
        raise RuleViolation(
            f"membership {number} resides in {district}; {'; '.join(others)}: members vote "
            f"only for the trustees of the district where they reside ({cite('art. IV sec. 2')})",
            field="for",
        )
    try:
        elections.check_ballot(
            choices=choices,
            candidates=list(on_ballot),
            seats=seats,
            district=district,
            rules=rules(),
        )
    except RuleViolation as refused:
        raise RuleViolation(
            f"membership {number} resides in {district}: {refused.message}", field="for"
        ) from None
    ballot = BallotIssued.objects.create(meeting=meeting, membership=membership, district=district)
    Vote.objects.bulk_create(
        Vote(meeting=meeting, district=district, petition=on_ballot[name]) for name in choices
    )
    return ballot


def district_results(
    meeting: Meeting,
) -> dict[str, tuple[elections.DistrictResult, dict[str, str]]]:
    """Each district's count with the coin tosses recorded: (result, {number: name})."""
    counts = dict(
        Vote.objects.filter(meeting=meeting)
        .values("petition")
        .annotate(n=Count("id"))
        .values_list("petition", "n")
    )
    tosses: dict[str, list[str]] = {}
    for toss in meeting.coin_tosses.order_by("pk"):
        tosses.setdefault(toss.district, []).append(toss.winner)
    ballot = candidates(meeting)
    found = {}
    for district, seats in sorted(seats_of(meeting).items()):
        standing = ballot.get(district, [])
        votes = {p.candidate_number: counts.get(p.pk, 0) for p in standing}
        names = {p.candidate_number: p.candidate_name for p in standing}
        result = elections.decide_district(
            seats=seats, votes=votes, toss_winners=tosses.get(district, [])
        )
        found[district] = (result, names)
    return found


def tally(meeting: Meeting) -> dict[str, Any]:
    """The count by district, as ``elections tally --json`` prints it."""
    if meeting.certified_results:
        return {"meeting": meeting.pk, **meeting.certified_results["tally"], "certified": True}
    districts = {}
    for district, (result, names) in district_results(meeting).items():
        districts[district] = {
            "seats": result.seats,
            "results": [
                {"candidate": number, "name": names[number], "votes": votes}
                for number, votes in result.results
            ],
            "elected": list(result.elected),
            "tied": list(result.tied),
            "coin_tosses": [
                {
                    "winner": t.winner,
                    "called_by": t.called_by,
                    "call": t.call,
                    "result": t.result,
                    "chair": t.chair,
                }
                for t in meeting.coin_tosses.filter(district=district).order_by("pk")
            ],
        }
    return {
        "meeting": meeting.pk,
        "districts": districts,
        "ballots": BallotIssued.objects.filter(meeting=meeting).count(),
        "certified": False,
    }


@transaction.atomic
def record_coin_toss(
    *,
    meeting_id: int,
    district: str,
    winner: str,
    called_by: str,
    call: str = "",
    result: str = "",
    chair: str = "",
    toss_rules: str = "",
) -> CoinToss:
    """Settle a tie by the toss of a coin (art. IV sec. 2), recorded with the minutes."""
    meeting = find_meeting(meeting_id, lock=True)
    _open(meeting)
    found = district_results(meeting)
    if district not in found:
        raise RuleViolation(f"{district} elects no trustee at this meeting", field="district")
    standing, _ = found[district]
    elections.check_toss(
        result=standing, winner=winner, chair=chair, district=district, rules=rules()
    )
    return CoinToss.objects.create(
        meeting=meeting,
        district=district,
        tied=list(standing.tied),
        called_by=called_by,
        call=call,
        result=result,
        chair=chair,
        rules=toss_rules,
        winner=winner,
        recorded_by=_actor(),
    )


@transaction.atomic
def record_question(*, meeting_id: int, text: str, votes_for: int, votes_against: int) -> Question:
    """A question other than the election: a majority of those voting (art. III sec. 5)."""
    meeting = find_meeting(meeting_id, lock=True)
    _open(meeting)
    if not quorum(meeting).has_quorum:
        raise RuleViolation(
            f"no quorum: the meeting may only adjourn ({cite('art. III sec. 4')})", field="meeting"
        )
    carried = meetings.is_majority(votes_for=votes_for, votes_against=votes_against)
    return Question.objects.create(
        meeting=meeting,
        text=text,
        votes_for=votes_for,
        votes_against=votes_against,
        carried=carried,
        recorded_by=_actor(),
    )


@transaction.atomic
def adjourn(*, meeting_id: int) -> Meeting:
    """Without a quorum, a majority of those present may only adjourn (art. III sec. 4)."""
    meeting = find_meeting(meeting_id, lock=True)
    _open(meeting)
    standing = quorum(meeting)
    meeting.adjourned_without_quorum = not standing.has_quorum
    meeting.minutes += (
        f"Adjourned with {standing.present} members present of {standing.required} needed "
        f"for a quorum ({cite('art. III sec. 4')}).\n"
    )
    meeting.save()
    return meeting


@transaction.atomic
def certify(*, meeting_id: int, on: date) -> Meeting:
    """Certify the election: quorum present, every tie settled; the count is frozen with the
    minutes, the elected take their seats for three years, the terms ending close."""
    meeting = find_meeting(meeting_id, lock=True)
    _open(meeting)
    standing = quorum(meeting)
    if not standing.has_quorum:
        raise RuleViolation(
            f"no quorum ({standing.present} of {standing.required}): nothing to certify "
            f"({cite('art. III sec. 4')})",
            field="meeting",
        )
    counted = tally(meeting)
    open_ties = [d for d, r in counted["districts"].items() if r["tied"]]
    if open_ties:
        raise RuleViolation(
            f"ties not yet settled by a coin toss in {', '.join(open_ties)} "
            f"({cite('art. IV sec. 2')})",
            field="meeting",
        )
    _seat_the_elected(meeting, counted["districts"])
    meeting.certified_at = timezone.now()
    meeting.certified_by = _actor()
    meeting.certified_results = {
        "quorum": {
            "members_of_record": standing.members_of_record,
            "present": standing.present,
            "required": standing.required,
            "has_quorum": standing.has_quorum,
        },
        "tally": {"districts": counted["districts"], "ballots": counted["ballots"]},
        "questions": [
            {"text": q.text, "for": q.votes_for, "against": q.votes_against, "carried": q.carried}
            for q in meeting.questions.order_by("pk")
        ],
        "certified_on": on.isoformat(),
    }
    meeting.minutes += _minutes_of_election(counted["districts"], on)
    meeting.save()
    return meeting


def _seat_the_elected(meeting: Meeting, districts: dict[str, Any]) -> None:
    if meeting.kind != MeetingKind.ANNUAL:
        return
    year = meeting.on.year
    ending = Trustee.objects.filter(left_on__isnull=True, term_ends_year__lte=year)
    ending.filter(district__in=list(districts)).update(
        left_on=meeting.on, left_reason=TrusteeLeft.TERM_ENDED
    )
    ends = term_end_year(elected_year=year, rules=rules())
    for district, result in districts.items():
        names = {row["candidate"]: row["name"] for row in result["results"]}
        for number in result["elected"]:
            Trustee.objects.create(
                membership=Membership.objects.get(number=number),
                name=names[number],
                district=district,
                term_ends_year=ends,
                started_on=meeting.on,
                elected_at=meeting,
            )


def _minutes_of_election(districts: dict[str, Any], on: date) -> str:
    lines = [f"Election of trustees, certified {on.isoformat()}:"]
    for district, result in districts.items():
        counted = "; ".join(
            f"{r['name']} ({r['candidate']}) {r['votes']}" for r in result["results"]
        )
        lines.append(f"  {district}, {result['seats']} seat(s): {counted or 'no candidates'}.")
        for toss in result["coin_tosses"]:
            lines.append(
                f"    Tie settled by coin toss: called by {toss['called_by']}"
                f"{' (' + toss['call'] + ')' if toss['call'] else ''}"
                f"{', fell ' + toss['result'] if toss['result'] else ''}; won by {toss['winner']}."
            )
        lines.append(f"    Elected: {', '.join(result['elected']) or 'none'}.")
    return "\n".join(lines) + "\n"
