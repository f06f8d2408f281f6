"""Pure governance rules (bylaws art. III-VI), with the numbers worked by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from coopcis.core.errors import RuleViolation
from coopcis.core.governance.board import (
    EXCUSED,
    PRESENT,
    UNEXCUSED,
    board_quorum,
    check_special_board_notice,
    consecutive_unexcused,
    is_flagged_for_removal,
)
from coopcis.core.governance.districts import ServedPremise, residence_district
from coopcis.core.governance.elections import check_ballot, check_toss, decide_district
from coopcis.core.governance.meetings import (
    check_annual_meeting_day,
    check_notice_date,
    is_majority,
    members_quorum,
    usual_annual_meeting_day,
)
from coopcis.core.governance.petitions import (
    MemberFacts,
    review_members_petition,
    review_nomination,
)
from coopcis.core.governance.rules import GovernanceRules

RULES = GovernanceRules()
MEETING = date(2027, 8, 7)


def test_first_saturday_of_august():
    # 2027-08-01 is a Sunday, so the first Saturday is the 7th; 2026-08-01 is a Saturday.
    assert usual_annual_meeting_day(year=2027, rules=RULES) == date(2027, 8, 7)
    assert usual_annual_meeting_day(year=2026, rules=RULES) == date(2026, 8, 1)


def test_annual_meeting_outside_august_is_refused():
    with pytest.raises(RuleViolation, match=r"art\. III sec\. 1"):
        check_annual_meeting_day(on=date(2027, 9, 4), rules=RULES)


@pytest.mark.parametrize(
    ("mailed_on", "allowed"),
    [
        (date(2027, 7, 13), True),  # 25 days before
        (date(2027, 7, 12), False),  # 26
        (date(2027, 7, 28), True),  # 10
        (date(2027, 7, 29), False),  # 9
    ],
)
def test_notice_window(mailed_on, allowed):
    if allowed:
        check_notice_date(mailed_on=mailed_on, meeting_on=MEETING, rules=RULES)
    else:
        with pytest.raises(RuleViolation, match=r"art\. III sec\. 3"):
            check_notice_date(mailed_on=mailed_on, meeting_on=MEETING, rules=RULES)


def test_quorum_is_two_percent_rounded_up():
    # 2% of 20,001 = 400.02 -> 401; of 20,000 exactly 400; of 30 = 0.6 -> 1.
    assert members_quorum(members_of_record=20_001, present=400, rules=RULES).required == 401
    assert not members_quorum(members_of_record=20_001, present=400, rules=RULES).has_quorum
    assert members_quorum(members_of_record=20_000, present=400, rules=RULES).has_quorum
    assert members_quorum(members_of_record=30, present=0, rules=RULES).required == 1


def test_majority_of_those_voting():
    assert is_majority(votes_for=11, votes_against=10)
    assert not is_majority(votes_for=10, votes_against=10)


def _facts(count: int, district: str = "NW", start: int = 1) -> dict[str, MemberFacts]:
    return {
        str(n): MemberFacts(number=str(n), is_voting_member=True, district=district)
        for n in range(start, start + count)
    }


def test_petition_signatures_struck_and_counted():
    facts = _facts(15)
    facts["90"] = MemberFacts(number="90", is_voting_member=False, district="NW")
    facts["91"] = MemberFacts(number="91", is_voting_member=True, district="SE")
    candidate = MemberFacts(number="500", is_voting_member=True, district="NW")
    signers = [*map(str, range(1, 16)), "3", "90", "91", "404"]

    review = review_nomination(
        district="NW",
        candidate=candidate,
        signers=signers,
        facts=facts,
        filed_on=date(2027, 7, 1),
        meeting_on=MEETING,
        seats=2,
        already_nominated=False,
        rules=RULES,
    )

    assert review.valid and review.valid_signatures == 15
    assert dict(review.struck) == {
        "3": "signed twice: one signature per membership",
        "90": "not an active member",
        "91": "resides in SE, not NW",
        "404": "no such membership",
    }


def test_petition_too_few_late_and_ineligible_candidate():
    facts = _facts(14)
    candidate = MemberFacts(
        number="500", is_voting_member=True, district="SW", competing_interest="Alamo Propane"
    )

    review = review_nomination(
        district="NW",
        candidate=candidate,
        signers=list(facts),
        facts=facts,
        filed_on=date(2027, 7, 20),
        meeting_on=MEETING,
        seats=2,
        already_nominated=False,
        rules=RULES,
    )

    assert not review.valid and review.valid_signatures == 14
    assert review.eligibility == {
        "member": True,
        "resident_of_district": False,
        "no_competing_interest": False,
        "not_removed_for_absences": True,
    }
    assert [p.split(" (")[0] for p in review.problems] == [
        "filed 18 days before the meeting; petitions are filed 25 to 45 days before",
        "14 valid signatures of members residing in NW; 15 or more are needed",
        "candidate 500 resides in SW, not NW",
        "candidate 500 has an interest in a competing or supplying business: Alamo Propane",
    ]


def test_petition_window_edges():
    facts = _facts(15)
    candidate = MemberFacts(number="500", is_voting_member=True, district="NW")
    for filed_on, valid in [
        (date(2027, 6, 23), True),
        (date(2027, 6, 22), False),  # 45 / 46 days
        (date(2027, 7, 13), True),
        (date(2027, 7, 14), False),  # 25 / 24 days
    ]:
        review = review_nomination(
            district="NW",
            candidate=candidate,
            signers=list(facts),
            facts=facts,
            filed_on=filed_on,
            meeting_on=MEETING,
            seats=2,
            already_nominated=False,
            rules=RULES,
        )
        assert review.valid is valid, filed_on


def test_ten_percent_petition():
    facts = _facts(30)
    # 10% of 301 members = 30.1 -> 31 signatures needed; 30 valid.
    review = review_members_petition(
        signers=list(facts), facts=facts, members_of_record=301, percent=Decimal("10")
    )
    assert (review.valid, review.valid_signatures, review.required) == (False, 30, 31)


def test_plurality_and_tie_settled_by_toss():
    votes = {"A": 40, "B": 31, "C": 31, "D": 5}

    tied = decide_district(seats=2, votes=votes)
    settled = decide_district(seats=2, votes=votes, toss_winners=["C"])

    assert (tied.elected, tied.tied, tied.tied_for_seats) == (("A",), ("B", "C"), 1)
    assert tied.results == (("A", 40), ("B", 31), ("C", 31), ("D", 5))
    assert (settled.elected, settled.tied) == (("A", "C"), ())


def test_three_way_tie_for_two_seats_needs_two_tosses():
    votes = {"A": 7, "B": 7, "C": 7}

    one = decide_district(seats=2, votes=votes, toss_winners=["B"])
    two = decide_district(seats=2, votes=votes, toss_winners=["B", "A"])

    assert (one.elected, one.tied) == (("B",), ("A", "C"))
    assert (two.elected, two.tied) == (("B", "A"), ())


def test_uncontested_and_clear_results():
    assert decide_district(seats=1, votes={"A": 3}).elected == ("A",)
    assert decide_district(seats=1, votes={"A": 3, "B": 2}).elected == ("A",)
    assert decide_district(seats=2, votes={"A": 3, "B": 2, "C": 2}).tied == ("B", "C")


def test_ballot_checks():
    with pytest.raises(RuleViolation, match="at most 1 vote"):
        check_ballot(choices=["A", "B"], candidates=["A", "B"], seats=1, district="NW", rules=RULES)
    with pytest.raises(RuleViolation, match="floor"):
        check_ballot(choices=["Z"], candidates=["A"], seats=1, district="NW", rules=RULES)
    check_ballot(choices=["A"], candidates=["A", "B"], seats=1, district="NW", rules=RULES)


def test_toss_checks():
    result = decide_district(seats=1, votes={"A": 2, "B": 2})
    with pytest.raises(RuleViolation, match="not tied"):
        check_toss(result=result, winner="C", chair="", district="NW", rules=RULES)
    with pytest.raises(RuleViolation, match="chair"):
        check_toss(result=result, winner="A", chair="B", district="NW", rules=RULES)
    check_toss(result=result, winner="A", chair="President Otero", district="NW", rules=RULES)


def test_board_quorum_notice_and_absences():
    assert board_quorum(rules=RULES) == 6
    with pytest.raises(RuleViolation, match=r"art\. V sec\. 3"):
        check_special_board_notice(
            notice_on=date(2027, 3, 6), meeting_on=date(2027, 3, 10), rules=RULES
        )
    marks = [PRESENT, UNEXCUSED, EXCUSED, UNEXCUSED, UNEXCUSED]
    assert consecutive_unexcused(marks) == 2
    assert not is_flagged_for_removal(marks, rules=RULES)
    assert is_flagged_for_removal([*marks, UNEXCUSED], rules=RULES)


def test_residence_prefers_dwelling_then_longest_served():
    well = ServedPremise(1, "IRRIGATION_WELL", "SE", date(2001, 1, 1))
    home = ServedPremise(2, "RESIDENCE", "SW", date(2015, 1, 1))
    cabin = ServedPremise(3, "RESIDENCE", "NW", date(2010, 1, 1))

    assert residence_district([well, home, cabin]) == "NW"
    assert residence_district([well]) == "SE"
    assert residence_district([]) is None


def test_rules_from_profile_table():
    rules = GovernanceRules.from_table({"quorum_percent": "5", "petition_min_signatures": 10})
    assert rules.quorum_percent == Decimal("5") and rules.petition_min_signatures == 10
    with pytest.raises(ValueError, match="unknown"):
        GovernanceRules.from_table({"quorum": 2})
