"""Nominating petitions (bylaws art. IV sec. 2-3) and petitions of a share of the members.

A nomination is made only by a petition of fifteen or more members who reside in the
district, filed 25 to 45 days before the meeting; there are no nominations from the
floor. Each signature is checked (an active member, resident in the district, one per
membership: a second signature on the same membership is struck) and the candidate's
eligibility is checked and kept with the petition. A petition that fails is recorded
with its problems; its candidate is not on the ballot.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from coopcis.core.governance.meetings import percent_of
from coopcis.core.governance.rules import GovernanceRules


@dataclass(frozen=True, slots=True)
class MemberFacts:
    """What the rules need to know of a membership, read from the records."""

    number: str
    name: str = ""
    #: An active membership of a member (not non-member service): one vote.
    is_voting_member: bool = False
    #: The trustee district of the premise where the member resides, if any.
    district: str | None = None
    #: A recorded interest in a competing or supplying business (art. IV sec. 2(c)).
    competing_interest: str = ""
    #: Removed from the board for absences within the latest term (art. IV sec. 2(d)).
    removed_for_absences: bool = False


@dataclass(frozen=True, slots=True)
class SignatureCheck:
    """Signatures as written on a petition: those counted and those struck, with why."""

    counted: tuple[str, ...]
    struck: tuple[tuple[str, str], ...]


def check_signatures(
    *, signers: Sequence[str], facts: Mapping[str, MemberFacts], district: str | None
) -> SignatureCheck:
    """Count each membership once: an active member (resident in ``district`` when given)."""
    counted: list[str] = []
    struck: list[tuple[str, str]] = []
    seen: set[str] = set()
    for number in signers:
        member = facts.get(number)
        if number in seen:
            struck.append((number, "signed twice: one signature per membership"))
            continue
        seen.add(number)
        if member is None:
            struck.append((number, "no such membership"))
        elif not member.is_voting_member:
            struck.append((number, "not an active member"))
        elif district is not None and member.district != district:
            where = member.district or "no district"
            struck.append((number, f"resides in {where}, not {district}"))
        else:
            counted.append(number)
    return SignatureCheck(counted=tuple(counted), struck=tuple(struck))


@dataclass(frozen=True, slots=True)
class PetitionReview:
    """The outcome kept with a nominating petition."""

    valid: bool
    valid_signatures: int
    problems: tuple[str, ...]
    struck: tuple[tuple[str, str], ...]
    eligibility: dict[str, bool] = field(default_factory=dict)


def candidate_eligibility(
    *, candidate: MemberFacts | None, district: str, rules: GovernanceRules
) -> tuple[dict[str, bool], list[str]]:
    """art. IV sec. 2 (a)-(d): a member, a bona fide resident of the district, no interest
    in a competing or supplying business, not removed for absences."""
    src = f"{rules.source} art. IV sec. 2"
    checks = {
        "member": bool(candidate and candidate.is_voting_member),
        "resident_of_district": bool(candidate and candidate.district == district),
        "no_competing_interest": bool(candidate and not candidate.competing_interest),
        "not_removed_for_absences": bool(candidate and not candidate.removed_for_absences),
    }
    if candidate is None:
        return checks, [f"the candidate is not a membership of record ({src}(a))"]
    problems = []
    if not checks["member"]:
        problems.append(f"candidate {candidate.number} is not an active member ({src}(a))")
    if not checks["resident_of_district"]:
        where = candidate.district or "no district"
        problems.append(
            f"candidate {candidate.number} resides in {where}, not {district} ({src}(b))"
        )
    if not checks["no_competing_interest"]:
        problems.append(
            f"candidate {candidate.number} has an interest in a competing or supplying "
            f"business: {candidate.competing_interest} ({src}(c))"
        )
    if not checks["not_removed_for_absences"]:
        problems.append(
            f"candidate {candidate.number} was removed from the board for absences ({src}(d))"
        )
    return checks, problems


def review_nomination(
    *,
    district: str,
    candidate: MemberFacts | None,
    signers: Sequence[str],
    facts: Mapping[str, MemberFacts],
    filed_on: date,
    meeting_on: date,
    seats: int,
    already_nominated: bool,
    rules: GovernanceRules,
) -> PetitionReview:
    """Check a nominating petition by art. IV sec. 3 and the candidate by art. IV sec. 2."""
    src = f"{rules.source} art. IV sec. 3"
    problems: list[str] = []
    days = (meeting_on - filed_on).days
    if not rules.petition_min_days <= days <= rules.petition_max_days:
        problems.append(
            f"filed {days} days before the meeting; petitions are filed "
            f"{rules.petition_min_days} to {rules.petition_max_days} days before ({src})"
        )
    if seats <= 0:
        problems.append(f"no trustee is to be elected from {district} at this meeting ({src})")
    check = check_signatures(signers=signers, facts=facts, district=district)
    if len(check.counted) < rules.petition_min_signatures:
        problems.append(
            f"{len(check.counted)} valid signatures of members residing in {district}; "
            f"{rules.petition_min_signatures} or more are needed ({src})"
        )
    eligibility, ineligible = candidate_eligibility(
        candidate=candidate, district=district, rules=rules
    )
    problems.extend(ineligible)
    if already_nominated:
        problems.append(f"the candidate is already nominated at this meeting ({src})")
    return PetitionReview(
        valid=not problems,
        valid_signatures=len(check.counted),
        problems=tuple(problems),
        struck=check.struck,
        eligibility=eligibility,
    )


@dataclass(frozen=True, slots=True)
class MembersPetition:
    """A petition of a share of all members, checked signature by signature."""

    valid: bool
    valid_signatures: int
    required: int
    struck: tuple[tuple[str, str], ...]


def review_members_petition(
    *,
    signers: Sequence[str],
    facts: Mapping[str, MemberFacts],
    members_of_record: int,
    percent: Decimal,
) -> MembersPetition:
    """A petition of ``percent`` % of all members, rounded up (a special meeting, art. III
    sec. 2; charges against a trustee or officer, art. IV sec. 4 and art. VI sec. 3)."""
    check = check_signatures(signers=signers, facts=facts, district=None)
    required = max(1, percent_of(members_of_record, percent))
    return MembersPetition(
        valid=len(check.counted) >= required,
        valid_signatures=len(check.counted),
        required=required,
        struck=check.struck,
    )
