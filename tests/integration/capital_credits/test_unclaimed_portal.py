"""The unclaimed retirement checks in the portal (bylaws art. VIII sec. 3): a member
looks a name up (no listing of everyone), sees the amount only of their own accounts'
checks, asks to claim their own with the mailing address confirmed; staff see the claim
waiting (the read logged) and recording the check claimed answers it."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from coopcis.apps.audit.models import MemberDataRead
from coopcis.apps.capital_credits.models import ClaimRequest, Payout, PayoutStatus
from coopcis.apps.capital_credits.unclaimed import (
    claim_check,
    gift_unclaimed,
    member_search,
    town_of,
)
from coopcis.core.errors import RuleViolation
from tests.integration.backoffice.factories import staff_user
from tests.integration.capital_credits.coop import credits, patron
from tests.integration.jobs import coopcis
from tests.integration.portal.factories import member

pytestmark = pytest.mark.django_db

TODAY = date(2026, 5, 1)


def former(number: str, first: str, last: str, city: str) -> object:
    account = patron(number, status="CLOSED", mailing_city=city)
    account.party.first_name, account.party.last_name = first, last
    account.party.save()  # the display name follows
    return account


@pytest.fixture
def checks(freeze_today, capsys):
    """Three former members paid by check on 2026-05-01 (checks 501-503); a fourth's
    check, mailed 2024-04-01, past its deadline and gifted."""
    freeze_today(TODAY)
    ben = former("3500001", "Benito", "Quintana", "Truth or Consequences")
    carla = former("3500002", "Carla", "Quintana", "Alamogordo")
    dora = former("3500003", "Dora", "Quintero", "Tularosa")
    eli = former("3500004", "Eli", "Anaya", "Cloudcroft")
    credits(2020, {ben: "80.00", carla: "60.00", dora: "40.00", eli: "30.00"})
    code, _, err = coopcis(
        capsys, "capital-credits", "retire", "--approved", "210.00", "--resolution", "R-9",
        "--approved-on", "2026-04-20", "--first-check", "501",
    )  # fmt: skip
    assert code == 0, err
    Payout.objects.filter(account=dora).update(mailed_on=date(2024, 4, 1))
    assert [p.account_id for p in gift_unclaimed(as_of=TODAY)] == [dora.pk]
    return ben, carla, dora, eli


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_town_is_the_last_known_address_city():
    assert town_of("12 Main St; Apt 2; Truth or Consequences NM 87901") == "Truth or Consequences"
    assert town_of("PO Box 5; Cloudcroft NM 88317") == "Cloudcroft"


def test_a_member_finds_names_but_sees_only_their_own_amount(checks):
    ben, *_ = checks
    client = signed_in(member("ben@example.org", ben))

    page = client.get("/portal/capital-credits/unclaimed/", {"q": "quintana"})
    text = page.text

    assert page.status_code == 200
    assert "Quintana, Benito" in text and "Quintana, Carla" in text
    assert "Truth or Consequences" in text and "Alamogordo" in text
    assert "2026" in text and "2028-05-01" in text  # retired in, claim by
    assert "$80.00" in text  # his own
    assert "$60.00" not in text and "3500002" not in text  # hers: neither amount nor account
    own = Payout.objects.get(account=ben)
    assert f"/portal/accounts/3500001/capital-credits/checks/{own.pk}/claim/" in text
    assert "/checks/" not in text.replace(f"/checks/{own.pk}/", "")  # no claim of hers


@pytest.mark.parametrize("query", ["", "q", "Q.", "a b", "3500002", "quintana 3500002"])
def test_a_short_or_empty_search_or_a_number_lists_nothing(checks, query):
    ben, *_ = checks
    client = signed_in(member("ben@example.org", ben))

    text = client.get("/portal/capital-credits/unclaimed/", {"q": query}).text

    assert member_search(query, today=TODAY) == []
    assert "Quintana" not in text and "Anaya" not in text


def test_a_search_matches_the_start_of_a_word_of_the_name(checks):
    assert [p.payee for p in member_search("quin", today=TODAY)] == [
        "Quintana, Benito",
        "Quintana, Carla",
    ]
    assert member_search("ntana", today=TODAY) == []  # not the middle of a word
    assert [p.payee for p in member_search("Carla Quintana", today=TODAY)] == ["Quintana, Carla"]


def test_a_gifted_check_or_one_past_its_deadline_is_not_listed(checks):
    ben, carla, dora, _ = checks
    assert Payout.objects.get(account=dora).status == PayoutStatus.GIFTED
    assert member_search("quintero", today=TODAY) == []
    # not yet gifted by the daily job, but past its deadline: not listed either
    Payout.objects.filter(account=carla).update(mailed_on=date(2024, 4, 30))
    assert [p.payee for p in member_search("quintana", today=TODAY)] == ["Quintana, Benito"]
    # the last day to claim still lists it
    Payout.objects.filter(account=carla).update(mailed_on=date(2024, 5, 1))
    assert len(member_search("quintana", today=TODAY)) == 2

    text = signed_in(member("ben@example.org", ben)).get(
        "/portal/capital-credits/unclaimed/", {"q": "quintero"}
    )
    assert "Dora" not in text.text and "No unclaimed checks" in text.text


def test_the_account_page_lists_the_members_own_unclaimed_checks(checks):
    ben, *_ = checks
    client = signed_in(member("ben@example.org", ben))

    own = client.get("/portal/accounts/3500001/capital-credits/").text
    other = client.get("/portal/accounts/3500002/capital-credits/")

    assert 'data-testid="own-unclaimed"' in own
    assert "501" in own and "$80.00" in own and "2028-05-01" in own and "Claim this check" in own
    assert other.status_code == 404


def test_a_member_claims_their_own_check_and_staff_answer_it(checks):
    ben, carla, *_ = checks
    client = signed_in(member("ben@example.org", ben))
    own = Payout.objects.get(account=ben)
    hers = Payout.objects.get(account=carla)
    url = f"/portal/accounts/3500001/capital-credits/checks/{own.pk}/claim/"

    form = client.get(url)
    not_hers = client.get(f"/portal/accounts/3500001/capital-credits/checks/{hers.pk}/claim/")
    sent = client.post(
        url, {"line1": "7 Calle Sol", "city": "Socorro", "state": "NM", "zip_code": "87801"}
    )
    again = client.post(
        url, {"line1": "7 Calle Sol", "city": "Socorro", "state": "NM", "zip_code": "87801"}
    )

    assert form.status_code == 200 and "2028-05-01" in form.text and "$80.00" in form.text
    assert 'value="Truth or Consequences"' in form.text  # the address on file, to confirm
    assert not_hers.status_code == 404
    assert sent.status_code == 302
    claim = ClaimRequest.objects.get()
    assert (claim.payout, claim.city, claim.status) == (own, "Socorro", "REQUESTED")
    assert claim.requested_by == "portal:ben@example.org"
    assert again.status_code == 400 and 'data-testid="claim-waiting"' in again.text
    assert ClaimRequest.objects.count() == 1  # one waiting per check

    clerk = Client()
    clerk.force_login(staff_user("read_only", username="rosa"))
    staff = clerk.get("/capital-credits/unclaimed/").text
    assert 'data-testid="claims-waiting"' in staff and "7 Calle Sol; Socorro NM 87801" in staff
    assert "3500001" in MemberDataRead.objects.values_list("account_number", flat=True)
    home = clerk.get("/").text  # the work list counts it, linked to the unclaimed page
    item = home.split('data-testid="work-capital-credit-claims"')[1].split("</li>")[0]
    assert '<span class="work-count">1</span>' in item and "/capital-credits/unclaimed/" in item

    claim_check(payout=own, on=date(2026, 5, 1))
    claim.refresh_from_db()
    assert (claim.status, claim.answered_on) == ("CLAIMED", date(2026, 5, 1))
    assert (
        'data-testid="own-unclaimed"'
        not in client.get("/portal/accounts/3500001/capital-credits/").text
    )


def test_a_bad_address_is_refused_naming_the_field(checks):
    ben, *_ = checks
    client = signed_in(member("ben@example.org", ben))
    own = Payout.objects.get(account=ben)
    url = f"/portal/accounts/3500001/capital-credits/checks/{own.pk}/claim/"

    bad = client.post(
        url, {"line1": "7 Calle Sol", "city": "Socorro", "state": "NM", "zip_code": "8780"}
    )

    assert bad.status_code == 400 and "ZIP code" in bad.text
    assert ClaimRequest.objects.count() == 0


def test_an_invited_reader_cannot_claim(checks):
    from coopcis.apps.portal.models import LinkRole

    ben, *_ = checks
    client = signed_in(member("guest@example.org", ben, role=LinkRole.INVITED))
    own = Payout.objects.get(account=ben)
    url = f"/portal/accounts/3500001/capital-credits/checks/{own.pk}/claim/"

    refused = client.post(
        url, {"line1": "7 Calle Sol", "city": "Socorro", "state": "NM", "zip_code": "87801"}
    )

    assert refused.status_code == 403 and ClaimRequest.objects.count() == 0


def test_the_pages_render_in_spanish(checks):
    ben, *_ = checks
    ben.language = "ES"
    ben.save(update_fields=["language"])
    client = signed_in(member("ben@example.org", ben))
    own = Payout.objects.get(account=ben)

    search = client.get("/portal/capital-credits/unclaimed/", {"q": "quintana"}).text
    account = client.get("/portal/accounts/3500001/capital-credits/").text
    claim = client.get(f"/portal/accounts/3500001/capital-credits/checks/{own.pk}/claim/").text

    assert "Cheques de reembolso no cobrados" in search and "Reclamar este cheque" in search
    assert "Cheques aún no cobrados" in account
    assert "<td>Cheque 501</td>" in account and "Emitido: reclámelo" in account  # paid
    assert "Confirme su dirección postal actual" in claim


def test_a_check_claimed_in_time_is_not_gifted_while_staff_work_the_claim(checks):
    from coopcis.apps.capital_credits.unclaimed import request_claim
    from coopcis.core.addresses import Address

    ben, carla, _, eli = checks
    own, hers = Payout.objects.get(account=ben), Payout.objects.get(account=carla)
    address = Address(line1="7 Calle Sol", line2="", city="Socorro", state="NM", zip_code="87801")
    request_claim(payout=own, address=address, on=date(2028, 5, 1), requested_by="portal:ben")
    with pytest.raises(RuleViolation, match="within two years"):  # a day late
        request_claim(payout=hers, address=address, on=date(2028, 5, 2), requested_by="x")

    gifted = gift_unclaimed(as_of=date(2028, 5, 2))

    # all three mailed 2026-05-01, claimable through 2028-05-01: Carla's and Eli's are gifts
    assert sorted(p.account_id for p in gifted) == sorted([carla.pk, eli.pk])
    own.refresh_from_db()
    assert own.status == PayoutStatus.ISSUED
    claim_check(payout=own, on=date(2028, 5, 3))  # staff mail it after the deadline
    own.refresh_from_db()
    assert own.status == PayoutStatus.CLAIMED
