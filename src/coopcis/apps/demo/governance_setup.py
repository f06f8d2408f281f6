"""The demo co-op's board of trustees: two per district, three-year staggered terms (four
ending the year after the latest annual meeting, three the next, three the one after), so
the next annual meeting's seats follow from the terms; and its officers."""

from __future__ import annotations

from datetime import date

from coopcis.apps.governance import board
from coopcis.apps.governance.residence import voting_members
from coopcis.apps.members.models import Membership
from coopcis.catalog.profiles import active_profile
from coopcis.core.errors import RuleViolation
from coopcis.core.governance.meetings import usual_annual_meeting_day


def _latest_annual_meeting(end: date) -> date:
    rules = active_profile().governance
    this_year = usual_annual_meeting_day(year=end.year, rules=rules)
    return (
        this_year if this_year < end else usual_annual_meeting_day(year=end.year - 1, rules=rules)
    )


def store_board(*, end: date) -> int:
    """Seat the board as of ``end``; the number of trustees seated."""
    profile = active_profile()
    rules = profile.governance
    latest = _latest_annual_meeting(end)
    seated = []
    index = 0
    for district in profile.district_codes:
        members = (
            Membership.objects.filter(
                voting_members(),
                party__kind="PERSON",
                party__accounts__agreements__end_on__isnull=True,
                party__accounts__agreements__service_point__premise__district=district,
                party__accounts__agreements__service_point__premise__kind="RESIDENCE",
            )
            .order_by("number")
            .values_list("number", flat=True)
            .distinct()
        )
        for number in members[:20]:
            if len([t for t in seated if t.district == district]) >= rules.trustees_per_district:
                break
            ends = latest.year + 1 + index % rules.term_years
            started = usual_annual_meeting_day(year=ends - rules.term_years, rules=rules)
            try:
                seated.append(
                    board.seat_trustee(
                        number=number, district=district, term_ends_year=ends, started_on=started
                    )
                )
            except RuleViolation:
                continue  # resides elsewhere (a dwelling in another district comes first)
            index += 1
    if len(seated) >= 7:
        numbers = [t.membership.number for t in seated]
        board.elect_officers(
            on=latest,
            offices={
                "PRESIDENT": numbers[0],
                "VICE_PRESIDENT": numbers[2],
                "SECRETARY": numbers[4],
                "TREASURER": numbers[6],
            },
        )
    return len(seated)
