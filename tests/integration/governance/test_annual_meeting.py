"""An annual meeting from its notice through petitions, check-in, quorum, ballots, a tie
and its coin toss, to the certified result (bylaws art. III, IV sec. 2-3)."""

from __future__ import annotations

import json
from datetime import date
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError

from coopcis.apps.governance.models import Meeting, NominatingPetition, Trustee, Vote
from tests.integration.governance.coop import small_democracy

pytestmark = pytest.mark.django_db

MEETING_DAY = date(2027, 8, 7)  # the first Saturday of August 2027


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def run_json(*args: str) -> dict:
    return json.loads(run(*args, "--json"))


def refused(*args: str) -> str:
    with pytest.raises(CommandError) as error:
        run(*args)
    return str(error.value)


def test_annual_meeting_from_notice_to_certified_result(
    freeze_today, tmp_path, django_capture_on_commit_callbacks
):
    # given: a small co-op, an annual meeting electing one NW and two SE trustees
    people = small_democracy()
    nw, se = people["NW"], people["SE"]
    created = run_json(
        "meetings",
        "create",
        "--date",
        "2027-08-07",
        "--kind",
        "annual",
        "--seats",
        "NW=1,SE=2",
        "--place",
        "Cloudcroft High School",
    )
    meeting = str(created["meeting"])
    assert created["seats"] == {"NW": 1, "SE": 2}

    # nominations: 15 NW signers each for N100 and N101; N102's petition is late and short
    first = run_json(
        "elections",
        "petition",
        meeting,
        "--district",
        "NW",
        "--candidate",
        "N100",
        "--signers",
        ",".join(nw[5:20]),
        "--filed-on",
        "2027-07-01",
    )
    second = run_json(
        "elections",
        "petition",
        meeting,
        "--district",
        "NW",
        "--candidate",
        "N101",
        "--signers",
        ",".join([*nw[10:25], nw[10], "S200", "X900", "W901"]),
        "--filed-on",
        "2027-06-23",
    )
    late = run_json(
        "elections",
        "petition",
        meeting,
        "--district",
        "NW",
        "--candidate",
        "N102",
        "--signers",
        ",".join(nw[5:19]),
        "--filed-on",
        "2027-07-14",
    )
    se_one = run_json(
        "elections",
        "petition",
        meeting,
        "--district",
        "SE",
        "--candidate",
        "S200",
        "--signers",
        ",".join(se[1:16]),
        "--filed-on",
        "2027-07-10",
    )

    assert (first["valid"], first["valid_signatures"]) == (True, 15)
    # N110 signed twice (struck once), S200 lives in SE, X900 a non-member, W901 withdrew
    assert (second["valid"], second["valid_signatures"]) == (True, 15)
    assert {s["membership"]: s["reason"] for s in second["struck"]} == {
        "N110": "signed twice: one signature per membership",
        "S200": "resides in SE, not NW",
        "X900": "not an active member",
        "W901": "not an active member",
    }
    assert late["valid"] is False and late["valid_signatures"] == 14
    assert [p.split(" (")[0] for p in late["problems"]] == [
        "filed 24 days before the meeting; petitions are filed 25 to 45 days before",
        "14 valid signatures of members residing in NW; 15 or more are needed",
    ]
    assert se_one["valid"] is True
    assert NominatingPetition.objects.filter(valid=False).count() == 1

    # the notice: refused 26 days before, mailed 20 days before to all 48 members
    freeze_today(date(2027, 7, 18))
    assert "art. III sec. 3" in refused(
        "meetings", "notice", meeting, "--mailed-on", "2027-07-12", "--out", str(tmp_path)
    )
    with django_capture_on_commit_callbacks(execute=True):
        sent = run_json(
            "meetings", "notice", meeting, "--mailed-on", "2027-07-18", "--out", str(tmp_path)
        )
    assert (sent["letters"], sent["emails"]) == (48, 3)
    assert len(list(tmp_path.glob("notice-*.pdf"))) == 48
    assert len(mail.outbox) == 3
    body = mail.outbox[0].body
    assert "District NW: 1 trustee(s) to be elected" in body
    assert "MemberN100, Pat" in body and "MemberN101, Pat" in body
    assert "MemberN102" not in body  # the invalid petition's candidate is not on the ballot

    # at the meeting: 48 members of record, 2% = 0.96 -> 1 needed
    freeze_today(MEETING_DAY)
    assert run_json("meetings", "quorum", meeting) == {
        "members_of_record": 48,
        "present": 0,
        "required": 1,
        "has_quorum": False,
    }
    for number in [*nw[:6], *se[:3]]:
        run("meetings", "check-in", meeting, number)
    assert "art. III sec. 5" in refused("meetings", "check-in", meeting, nw[0])
    assert "art. I sec. 1" in refused("meetings", "check-in", meeting, "X900")
    assert run_json("meetings", "quorum", meeting)["present"] == 9

    # ballots: NW 3 for N100, 3 for N101 (a tie for one seat); SE
    for voter, choice in zip(nw[:6], ["N100", "N101"] * 3, strict=True):
        run("elections", "vote", meeting, voter, "--for", choice)
    run("elections", "vote", meeting, se[0], "--for", "S200")
    votes_before = Vote.objects.count()
    assert "art. III sec. 5" in refused("elections", "vote", meeting, nw[0], "--for", "N100")
    assert "not checked in" in refused("elections", "vote", meeting, nw[10], "--for", "N100")
    assert "art. IV sec. 2" in refused("elections", "vote", meeting, se[1], "--for", "N100")
    assert "floor" in refused("elections", "vote", meeting, se[1], "--for", "N102")
    assert Vote.objects.count() == votes_before

    counted = run_json("elections", "tally", meeting)["districts"]
    assert counted["NW"]["results"][0]["votes"] == 3 and counted["NW"]["results"][1]["votes"] == 3
    assert (counted["NW"]["elected"], counted["NW"]["tied"]) == ([], ["N100", "N101"])
    assert (counted["SE"]["seats"], counted["SE"]["elected"]) == (2, ["S200"])
    assert "coin toss" in refused("elections", "certify", meeting)

    # the tie settled by a coin toss, then certified
    assert "chair" in refused(
        "elections",
        "coin-toss",
        meeting,
        "--district",
        "NW",
        "--winner",
        "N101",
        "--called-by",
        "Pat Member100",
        "--chair",
        "N100",
    )
    run(
        "elections",
        "coin-toss",
        meeting,
        "--district",
        "NW",
        "--winner",
        "N101",
        "--called-by",
        "Pat Member100",
        "--call",
        "heads",
        "--result",
        "tails",
        "--chair",
        "President Otero",
    )
    assert run_json("elections", "tally", meeting)["districts"]["NW"]["elected"] == ["N101"]
    run("elections", "certify", meeting)

    certified = Meeting.objects.get(pk=meeting)
    assert certified.certified_results["tally"]["districts"]["NW"]["elected"] == ["N101"]
    assert "called by Pat Member100 (heads), fell tails; won by N101" in certified.minutes
    assert sorted(Trustee.objects.values_list("membership__number", "term_ends_year")) == [
        ("N101", 2030),
        ("S200", 2030),
    ]
    assert "certified" in refused("elections", "vote", meeting, se[1], "--for", "S200")


def test_annual_meeting_outside_august_and_no_quorum_refusals():
    small_democracy()
    assert "art. III sec. 1" in refused(
        "meetings", "create", "--date", "2027-09-04", "--kind", "annual"
    )
    meeting = run(
        "meetings", "create", "--date", "2027-08-07", "--kind", "annual", "--seats", "NW=1"
    ).strip()
    run_json(
        "elections",
        "petition",
        meeting,
        "--district",
        "NW",
        "--candidate",
        "N100",
        "--signers",
        ",".join(f"N{100 + i}" for i in range(15)),
        "--filed-on",
        "2027-07-01",
    )
    assert "not checked in" in refused("elections", "vote", meeting, "N105", "--for", "N100")
    assert "no quorum" in refused("elections", "certify", meeting)
