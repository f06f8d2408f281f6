"""Fixtures: a client signed in as each staff role, and the described account."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from tests.integration.backoffice.factories import (
    DescribedAccount,
    described_account,
    staff_user,
)


def account_card(client: Client, account, card: str) -> str:
    """The HTML of one card (``<section id=card>``) of the account page."""
    html = client.get(f"/accounts/{account.number}/").text
    start = html.index(f'id="{card}"')
    return html[start : html.index("</section>", start)]


def field_errors(response, field: str) -> list[str]:
    """The errors a re-rendered form shows against ``field``."""
    return list(response.context["form"].errors.get(field, []))


@pytest.fixture
def client_as(db: None) -> Callable[[str | None], Client]:
    """``client_as("billing")``: a test client signed in as a user in that role."""

    def signed_in(role: str | None) -> Client:
        client = Client()
        client.force_login(staff_user(role))
        return client

    return signed_in


@pytest.fixture
def maria(db: None) -> DescribedAccount:
    return described_account()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
