"""The member's rebates in the portal: the catalog's rules, their claims, and a claim with
its proof through the rebates app's checks (refused with the rule cited)."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from coopcis.apps.rebates import services
from coopcis.apps.rebates.models import ClaimDocument, ClaimStatus, RebateClaim
from tests.factories import AccountFactory
from tests.integration.portal.factories import member as member_sign_in
from tests.integration.programs.test_rebates import PDF, PNG

pytestmark = pytest.mark.django_db
D = Decimal


def text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.fixture
def ana(member, freeze_today):
    freeze_today(date(2026, 8, 1))
    services.set_budget(
        year=2026, amount=D("5000.00"), per_account=D("250.00"), source="Board minutes"
    )
    client = Client()
    client.force_login(member_sign_in("ana@example.org", member.account))
    return client, member.account


def form(measure="clothes_washer_dryer", quantity="2", star=True, **extra):
    data = {
        "measure": measure,
        "purchased_on": "2026-07-20",
        "cost": "1380.00",
        "quantity": quantity,
        "size": "",
        "retailer": "Alamogordo Appliance",
        "model_number": "WF45",
        "pay_by": "BILL_CREDIT",
        "receipt": SimpleUploadedFile("receipt.pdf", PDF, "application/pdf"),
    }
    if star:
        data["energy_star"] = SimpleUploadedFile("star.png", PNG, "image/png")
    return data | extra


def test_the_page_lists_each_measures_rule(ana):
    client, account = ana
    page = text(client.get(f"/portal/accounts/{account.number}/rebates/").content.decode())
    assert "$75.00 a unit, up to 2 units" in page  # washer or dryer
    assert "$50.00 from 0 cu ft; $100.00 from 14 cu ft" in page  # refrigerator bands
    assert "No claims yet." in page


def test_a_claim_with_its_proof_is_recorded_and_listed(ana):
    client, account = ana
    answer = client.post(f"/portal/accounts/{account.number}/rebates/", form())
    assert answer.status_code == 302
    made = RebateClaim.objects.get(account=account)
    # a washer and a dryer: 2 x $75 = $150, under the $250 account limit
    assert made.rebate_amount == D("150.00") and made.status == ClaimStatus.SUBMITTED
    assert sorted(ClaimDocument.objects.values_list("kind", flat=True)) == [
        "ENERGY_STAR",
        "RECEIPT",
    ]
    page = text(client.get(answer.url).content.decode())
    assert "a rebate of $150.00" in page and "Waiting for a decision" in page


def test_the_cost_may_be_typed_with_a_thousands_comma(ana):
    client, account = ana
    answer = client.post(f"/portal/accounts/{account.number}/rebates/", form(cost="1,380.00"))
    assert answer.status_code == 302
    assert RebateClaim.objects.get(account=account).cost_amount == D("1380.00")


def test_refusals_cite_the_rule_and_record_nothing(ana):
    client, account = ana
    url = f"/portal/accounts/{account.number}/rebates/"
    no_star = client.post(url, form(star=False))
    assert no_star.status_code == 400
    assert "needs the ENERGY STAR certification (OCEC handbook" in no_star.content.decode()

    html = form(receipt=SimpleUploadedFile("r.pdf", b"<html>", "application/pdf"))
    assert "proof is a PDF, JPEG or PNG file" in client.post(url, html).content.decode()

    # $150 held; a second pair ($150 more) would make $300, over the account's $250
    client.post(url, form())
    over = text(client.post(url, form()).content.decode())
    assert "over its 2026 limit of $250.00 ($150.00 already claimed)" in over
    assert RebateClaim.objects.filter(account=account).count() == 1


def test_another_members_account_is_404(ana):
    client, _ = ana
    other = AccountFactory()
    assert client.get(f"/portal/accounts/{other.number}/rebates/").status_code == 404
    assert client.post(f"/portal/accounts/{other.number}/rebates/", form()).status_code == 404
    assert not RebateClaim.objects.exists()


def test_the_rebates_page_in_spanish(ana):
    client, account = ana
    account.language = "ES"  # the member's language: their account's
    account.save(update_fields=["language"])
    page = text(client.get(f"/portal/accounts/{account.number}/rebates/").content.decode())
    assert "Reembolsos por eficiencia energética" in page
    assert "$75.00 por unidad, hasta 2 unidades" in page


def test_the_measures_and_refusals_read_in_spanish(ana):
    client, account = ana
    account.language = "ES"
    account.save(update_fields=["language"])
    url = f"/portal/accounts/{account.number}/rebates/"

    page = text(client.get(url).content.decode())
    no_star = text(client.post(url, form(star=False)).content.decode())
    bad_cost = text(client.post(url, form(cost="mil")).content.decode())
    client.post(url, form())
    over = text(client.post(url, form()).content.decode())

    assert "Lavadora o secadora de ropa ENERGY STAR ($75 cada una, $150 el par)" in page
    assert "Refrigerador ENERGY STAR, según su tamaño" in page
    assert "$50.00 desde 0 pies cúbicos" in page
    assert "ENERGY STAR clothes washer" not in page
    assert "Una solicitud por esta medida necesita la certificación ENERGY STAR" in no_star
    assert "Escriba lo que pagó en dólares y centavos" in bad_cost
    assert (
        "Un reembolso de $150.00 llevaría la cuenta por encima de su límite de 2026 de $250.00 "
        "(ya se solicitaron $150.00)."
    ) in over
    # the claim made keeps its English description, and reads in Spanish too
    assert "<td>Lavadora o secadora de ropa ENERGY STAR" in client.get(url).content.decode()


def test_every_measure_of_the_catalog_has_its_spanish():
    from django.utils import translation

    from coopcis.apps.portal.rebate_words import measure_words, unit_words
    from coopcis.catalog.profiles import active_profile
    from coopcis.catalog.rebates import load_rebate_catalog

    catalog = load_rebate_catalog(active_profile().code, on=date(2026, 8, 1))
    with translation.override("es"):
        untranslated = [
            m.description
            for m in catalog.measures.values()
            if measure_words(m.description) == m.description
        ]
        units = {m.size_unit for m in catalog.measures.values() if m.size_unit}
        assert all(unit_words(unit) != unit for unit in units)
    assert untranslated == []
