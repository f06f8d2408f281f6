"""Electing trustees by district: plurality per seat, a tie settled by the toss of a coin.

Bylaws art. IV sec. 2: two trustees per district, elected by the members present at the
meeting who reside in the district, by a plurality of the votes cast for each position;
a tie is broken by a coin toss whose ground rules the chair (not a candidate in the tie)
sets. art. III sec. 5: one vote per member, no proxies.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from coopcis.core.errors import RuleViolation
from coopcis.core.governance.rules import GovernanceRules


@dataclass(frozen=True, slots=True)
class DistrictResult:
    """A district's count: candidates by votes (most first), who is elected, who is tied
    for the seats still open (empty once every seat is filled)."""

    seats: int
    results: tuple[tuple[str, int], ...]
    elected: tuple[str, ...]
    tied: tuple[str, ...]
    tied_for_seats: int

    @property
    def is_decided(self) -> bool:
        return not self.tied


def decide_district(
    *, seats: int, votes: Mapping[str, int], toss_winners: Sequence[str] = ()
) -> DistrictResult:
    """Plurality for ``seats`` seats; candidates tied at the cut share the seats left by the
    coin tosses recorded (each toss's winner takes one seat, in the order tossed)."""
    ranked = tuple(sorted(votes.items(), key=lambda item: (-item[1], item[0])))
    if len(ranked) <= seats:
        return DistrictResult(seats, ranked, tuple(name for name, _ in ranked), (), 0)
    if seats <= 0:
        return DistrictResult(seats, ranked, (), (), 0)
    cut = ranked[seats - 1][1]
    above = [name for name, count in ranked if count > cut]
    at_cut = [name for name, count in ranked if count == cut]
    open_seats = seats - len(above)
    if len(at_cut) <= open_seats:
        return DistrictResult(seats, ranked, tuple(above + at_cut), (), 0)
    elected = list(above)
    remaining = list(at_cut)
    for winner in toss_winners:
        if open_seats == 0 or winner not in remaining:
            continue
        elected.append(winner)
        remaining.remove(winner)
        open_seats -= 1
    if open_seats == 0:
        return DistrictResult(seats, ranked, tuple(elected), (), 0)
    return DistrictResult(seats, ranked, tuple(elected), tuple(remaining), open_seats)


def check_ballot(
    *,
    choices: Sequence[str],
    candidates: Sequence[str],
    seats: int,
    district: str,
    rules: GovernanceRules,
) -> None:
    """A ballot marks at most one vote per seat, for candidates nominated by petition in
    the voter's district (art. IV sec. 2, 3: no write-ins, no floor nominations)."""
    src = rules.source
    if not choices:
        raise RuleViolation("a ballot names at least one candidate", field="for")
    if len(set(choices)) != len(choices):
        raise RuleViolation(
            f"one vote per candidate on a ballot ({src} art. III sec. 5)", field="for"
        )
    if len(choices) > seats:
        raise RuleViolation(
            f"{district} elects {seats} trustee(s) at this meeting: at most {seats} "
            f"vote(s) on a ballot ({src} art. IV sec. 2)",
            field="for",
        )
    strangers = [name for name in choices if name not in candidates]
    if strangers:
        raise RuleViolation(
            f"not a candidate nominated by petition in {district}: {', '.join(strangers)} "
            f"(no nominations from the floor, {src} art. IV sec. 3)",
            field="for",
        )


def check_toss(
    *, result: DistrictResult, winner: str, chair: str, district: str, rules: GovernanceRules
) -> None:
    """A coin toss settles a tie that exists, for one of the tied, under a chair who is not
    one of them (art. IV sec. 2)."""
    src = f"{rules.source} art. IV sec. 2"
    if not result.tied:
        raise RuleViolation(f"no tie to settle in {district} ({src})", field="district")
    if winner not in result.tied:
        raise RuleViolation(
            f"{winner} is not tied in {district}: tied are {', '.join(result.tied)} ({src})",
            field="winner",
        )
    if chair and chair in result.tied:
        raise RuleViolation(
            f"the chair who sets the coin toss's rules may not be a candidate in the tie ({src})",
            field="chair",
        )
