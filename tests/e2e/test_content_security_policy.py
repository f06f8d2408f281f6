"""The back office works under its Content-Security-Policy: no page runs an inline
script or style the policy would refuse (Chromium reports each refusal)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.integration.backoffice.factories import PASSWORD, described_account, staff_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PAGES = [
    "/",
    "/?q=baca",
    "/accounts/3100417/",
    "/accounts/3100417/edit/",
    "/accounts/3100417/meters/install/",
    "/accounts/3100417/agreements/new/",
    "/accounts/3100417/collections/holds/new/",
    "/accounts/3100417/deposits/take/",
    "/applications/",
    "/applications/new/",
    "/cashier/",
    "/cashier/open/",
]


def test_no_page_is_refused_anything_by_the_policy(page):
    described_account()
    staff_user("manager", username="ana")
    refusals: list[str] = []
    page.on(
        "console",
        lambda message: (
            refusals.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text
            else None
        ),
    )
    page.goto("/sign-in/")
    page.get_by_label("Username").fill("ana")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/$"))

    statuses = {}
    for path in PAGES:
        response = page.goto(path)
        statuses[path] = response.status
        assert "script-src 'self'" in response.headers["content-security-policy"]
        # the stylesheet is applied: it is the page's only style, from 'self'
        assert page.evaluate("document.styleSheets.length") >= 1

    assert refusals == []
    assert all(status == 200 for status in statuses.values()), statuses


def test_an_inline_script_would_be_refused(page, live_server):
    """The check above can fail: Chromium does report a refused inline script."""
    refusals: list[str] = []
    page.on("console", lambda message: refusals.append(message.text))
    page.goto("/sign-in/")

    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.ran = 1'; document.body.appendChild(s); }"
    )

    assert page.evaluate("window.ran") is None
    assert any("Content Security Policy" in text for text in refusals)
