"""A member signs up in the browser, reads the verification email from a real SMTP
server, follows its link and signs in; and the same with the keyboard alone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.integration.portal.factories import PASSWORD, billed_account

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

FOCUSED_NAME = """() => {
  const e = document.activeElement;
  if (!e) return "";
  if (e.labels && e.labels.length) return e.labels[0].textContent.trim();
  return (e.getAttribute("aria-label") || e.textContent || "").trim();
}"""


def test_sign_up_then_the_mailed_link_then_sign_in(page, smtp_server):
    billed_account("7500001")

    page.goto("/portal/sign-up/")
    page.get_by_label("Account number").fill("7500001")
    page.get_by_label("Latest bill amount").fill("$167.83")
    page.get_by_label("Email").fill("ana@example.org")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Confirm password").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()

    [message] = smtp_server.wait_for(1)
    assert message["To"] == "ana@example.org"
    [link] = smtp_server.links(message)
    page.goto(link)
    expect(page.get_by_role("heading", name="Email confirmed")).to_be_visible()
    page.get_by_role("link", name="Sign in").last.click()
    page.get_by_label("Email").fill("ana@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(re.compile(r"/portal/$"))
    expect(page.get_by_role("heading", name="Account 7500001")).to_be_visible()


def tab_to(page, name: str, limit: int = 40) -> None:
    """Press Tab until the focused element's accessible name is ``name``."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED_NAME)
        if focused == name:
            return
        seen.append(focused)
    raise AssertionError(f"Tab never reached {name!r}; went through {seen}")


def test_sign_up_and_sign_in_with_the_keyboard_alone(page, smtp_server):
    billed_account("7500002")
    page.goto("/portal/sign-up/")

    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED_NAME) == "Skip to main content"
    page.keyboard.press("Enter")  # the skip link: the next Tab is inside the main content
    for label, text in (
        ("Account number", "7500002"),
        ("Latest bill amount", "167.83"),
        ("Email", "luis@example.org"),
        ("Password", PASSWORD),
        ("Confirm password", PASSWORD),
    ):
        tab_to(page, label)
        page.keyboard.type(text)
    tab_to(page, "Sign up")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()

    [link] = smtp_server.links(smtp_server.wait_for(1)[0])
    page.goto(link)
    expect(page.get_by_role("heading", name="Email confirmed")).to_be_visible()
    tab_to(page, "Sign in")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    tab_to(page, "Email")
    page.keyboard.type("luis@example.org")
    tab_to(page, "Password")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/portal/$"))
    expect(page.get_by_role("heading", name="Account 7500002")).to_be_visible()
