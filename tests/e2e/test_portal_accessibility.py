"""Every portal page passes axe-core (WCAG 2.1 A and AA rules) with zero violations, fits
a 360 px wide screen without horizontal scrolling, and is refused nothing by the
Content-Security-Policy (Chromium reports each refusal on the console).

The pages come from the URLconf: every route under /portal/, asked as an anonymous
visitor and as a signed-in member with an interval-metered account and bills (like the
demo's members), so a page added later is checked without being listed. Parameters are
filled with the member's own values: ``number`` and other text with their account
number, ``int`` ids with each id of their rows in turn (the first that answers 200 is
checked), and links from email (``token``, ``uidb64``) with real ones. Routes that only
take POST (405) and answers that are not HTML (downloads) are left out.
"""

from __future__ import annotations

import itertools
import re
from datetime import date

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from playwright.sync_api import expect

from coopcis.apps.collections.models import CertificateUpload
from coopcis.apps.portal.models import Invitation
from coopcis.apps.portal.tokens import invitation_token, verification_token
from tests.factories import MeterFactory, MeterInstallationFactory
from tests.integration.portal.factories import PASSWORD, billed_account, member
from tests.integration.portal.test_isolation import owned_ids, portal_routes
from tests.integration.usage.test_green_button import utc_blocks

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NARROW = {"width": 360, "height": 780}
#: axe-core's rule tags for WCAG 2.0 and 2.1, levels A and AA.
WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
NUMBER = "7600001"


@pytest.fixture
def demo_like_member():
    """A member with an interval meter, two months of 15-minute use and two bills."""
    billed = billed_account(NUMBER, periods=("2026-02", "2026-03"), energy_wh=640_000)
    meter = MeterFactory(serial="AMI-AXE-1", kind="AMI_INTERVAL", interval_minutes=15)
    MeterInstallationFactory(
        meter=meter, service_point=billed.agreement.service_point, installed_on=date(2026, 1, 1)
    )
    utc_blocks(meter, date(2026, 2, 1), date(2026, 4, 1), lambda at: 20 + (at // 900) % 7)
    user = member("ana@example.org", billed.account)
    CertificateUpload.objects.create(  # answered: the certificate page lists it
        account=billed.account,
        filename="certificate.pdf",
        content_type="application/pdf",
        size=9,
        sha256="0" * 64,
        data=b"%PDF-1.4\n",
        ill_person="Jose Baca",
        uploaded_on=date(2026, 3, 1),
        uploaded_by="portal:ana@example.org",
        status="REJECTED",
        decided_on=date(2026, 3, 2),
        reject_reason="The certificate is not signed.",
    )
    invitation = Invitation.objects.create(
        account=billed.account, email="guest@example.org", invited_by=user
    )
    tokens = {
        "portal:verify": {"token": verification_token(user.pk, user.email)},
        "portal:invitation": {"token": invitation_token(invitation.pk, invitation.email)},
        "portal:password_reset_confirm": {
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    }
    return user, billed.account, tokens


def fillings(route, own_ids: list[int], tokens: dict[str, dict[str, str]]):
    """Each way to fill the route's parameters with the member's own values."""
    choices = []
    for name, converter in route.parameters:
        if name in tokens.get(route.name, {}):
            choices.append([tokens[route.name][name]])
        elif name == "period":
            choices.append(["2026-03"])
        elif converter == "int":
            choices.append([str(pk) for pk in own_ids])
        else:
            choices.append([NUMBER])
    for combination in itertools.product(*choices):
        url = "/" + route.pattern
        for (name, _), value in zip(route.parameters, combination, strict=True):
            url = re.sub(rf"<(?:\w+:)?{name}>", value, url, count=1)
        yield url


def check_pages(page, routes, own_ids, tokens, *, with_parameters: bool) -> tuple[dict, list]:
    axe = Axe()
    checked: dict[str, int] = {}
    problems: list[str] = []
    for route in routes:
        if route.parameters and not with_parameters and route.name not in tokens:
            continue
        for url in fillings(route, own_ids, tokens):
            probe = page.request.get(url)  # the context's cookies: signed in or not
            html = "text/html" in probe.headers.get("content-type", "")
            if probe.status in (404, 405) or not html:
                continue
            status = probe.status
            page.goto(url)
            final = page.url
            results = axe.run(page, options=WCAG_AA)
            if results.violations_count:
                problems.append(f"{url} (now {final}):\n{results.generate_report()}")
            width = page.evaluate("document.scrollingElement.scrollWidth")
            if width > NARROW["width"]:
                problems.append(f"{url} (now {final}): {width} px wide at 360")
            checked[url] = status
            break
    return checked, problems


def test_every_portal_page_has_no_axe_violation_and_fits_360_px(
    browser, live_server, demo_like_member
):
    user, account, tokens = demo_like_member
    own_ids = sorted(owned_ids(account))
    routes = portal_routes()
    context = browser.new_context(base_url=live_server.url, viewport=NARROW)
    context.set_default_timeout(15_000)
    page = context.new_page()
    refusals: list[str] = []
    page.on(
        "console",
        lambda message: (
            refusals.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text
            else None
        ),
    )
    try:
        anonymous, anonymous_problems = check_pages(
            page, routes, own_ids, tokens, with_parameters=False
        )
        page.goto("/portal/sign-in/")
        page.get_by_label("Email").fill(user.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page).to_have_url(re.compile(r"/portal/$"))
        signed_in, member_problems = check_pages(
            page, routes, own_ids, tokens, with_parameters=True
        )
    finally:
        context.close()

    assert anonymous_problems + member_problems == []
    assert refusals == []
    # the walk reached the pages it should: sign-in and sign-up anonymously, every
    # member page that takes the account number while signed in
    assert {"/portal/sign-in/", "/portal/sign-up/", "/portal/password/reset/"} <= set(anonymous)
    assert {
        "/portal/",
        f"/portal/accounts/{NUMBER}/invite/",
        f"/portal/accounts/{NUMBER}/outage/",  # report an outage, "still out"
        f"/portal/accounts/{NUMBER}/service/address/",
        f"/portal/accounts/{NUMBER}/service/certificate/",
    } <= set(signed_in)
    assert len(signed_in) >= 8, signed_in


def test_the_checks_can_fail(browser, live_server):
    """axe and the width check report a page that breaks them."""
    context = browser.new_context(base_url=live_server.url, viewport=NARROW)
    page = context.new_page()
    try:
        page.goto("/portal/sign-in/")
        page.evaluate(
            """() => {
              document.querySelector('label[for=id_email]').remove();
              const wide = document.createElement('div');
              wide.textContent = 'x'.repeat(10);
              wide.style.width = '900px';
              document.querySelector('main').append(wide);
            }"""
        )
        results = Axe().run(page, options=WCAG_AA)
        width = page.evaluate("document.scrollingElement.scrollWidth")
    finally:
        context.close()

    assert "label" in {violation["id"] for violation in results.response["violations"]}
    assert width > NARROW["width"]
