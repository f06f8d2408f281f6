"""Sign-in, sign-out, the header, and pages closed to the anonymous and the role-less."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.integration.backoffice.factories import PASSWORD, staff_user

pytestmark = pytest.mark.django_db

PAGES = [
    "/",
    "/accounts/3100417/",
    "/accounts/3100417/edit/",
    "/applications/",
    "/applications/new/",
]


@pytest.mark.parametrize("url", PAGES)
def test_every_page_sends_the_anonymous_to_sign_in(client, maria, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response.url == f"{reverse('backoffice:login')}?next={url}"


def test_the_api_answers_401_when_not_signed_in(client, maria):
    response = client.get("/api/v1/accounts/3100417")

    assert response.status_code == 401
    assert response.json() == {"error": "sign in first"}


def test_sign_in_page_names_the_co_op(client):
    response = client.get(reverse("backoffice:login"))

    assert response.status_code == 200
    assert "Otero County Electric Cooperative, Inc." in response.text


def test_sign_in_lands_on_search_with_user_and_role_in_the_header(client):
    staff_user("customer_service", username="rosa")

    response = client.post(
        reverse("backoffice:login"), {"username": "rosa", "password": PASSWORD}, follow=True
    )

    assert response.redirect_chain == [("/", 302)]
    header = response.text.split("</header>")[0]
    assert "Otero County Electric Cooperative, Inc." in header
    assert "Rosa Customer Service" in header
    assert '<span class="role" data-testid="role">Customer service</span>' in header


def test_wrong_password_is_refused(client):
    staff_user("billing", username="ben")

    response = client.post(reverse("backoffice:login"), {"username": "ben", "password": "nope"})

    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.text
    assert "_auth_user_id" not in client.session


def test_sign_out_ends_the_session(client_as):
    client = client_as("read_only")

    response = client.post(reverse("backoffice:logout"))

    assert response.status_code == 302
    assert response.url == reverse("backoffice:login")
    assert client.get("/").status_code == 302


def test_a_user_without_a_role_sees_nothing(client_as, maria):
    client = client_as(None)

    assert client.get("/").status_code == 403
    assert client.get("/accounts/3100417/").status_code == 403
    assert client.get("/api/v1/accounts/3100417").status_code == 403


@pytest.mark.parametrize(
    ("role", "label"),
    [
        ("read_only", "Read-only"),
        ("customer_service", "Customer service"),
        ("billing", "Billing"),
        ("finance", "Finance"),
        ("manager", "Manager"),
    ],
)
def test_every_role_may_search_and_shows_in_the_header(client_as, role, label):
    response = client_as(role).get("/")

    assert response.status_code == 200
    assert f'data-testid="role">{label}</span>' in response.text
