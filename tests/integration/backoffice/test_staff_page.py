"""The managers' Staff page: add a sign-in with a role; its one-time password must be
replaced at the first sign-in."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from coopcis.apps.staff.models import PasswordChangeRequired

pytestmark = pytest.mark.django_db


def test_a_manager_adds_a_sign_in_and_sees_its_password_once(client_as):
    manager = client_as("manager")

    response = manager.post(
        "/staff/", {"username": "lupe", "full_name": "Lupe Chavez", "role": "billing"}
    )

    assert response.status_code == 200
    password = response.context["issued"]["password"]
    assert f'data-testid="one-time-password">{password}<' in response.text
    assert [g.name for g in User.objects.get(username="lupe").groups.all()] == ["Billing"]
    assert password not in manager.get("/staff/").text


@pytest.mark.parametrize("role", ["read_only", "customer_service", "billing", "finance"])
def test_other_roles_may_not_add_sign_ins(client_as, role):
    response = client_as(role).post("/staff/", {"username": "eve", "role": "manager"})

    assert response.status_code == 403
    assert not User.objects.filter(username="eve").exists()


def test_a_refused_name_shows_against_the_field(client_as):
    response = client_as("manager").post("/staff/", {"username": "Bad Name!", "role": "billing"})

    assert "lowercase letters" in response.context["form"].errors["username"][0]


def test_a_one_time_password_must_be_replaced_before_any_other_page(client_as):
    response = client_as("manager").post("/staff/", {"username": "lupe", "role": "billing"})
    password = response.context["issued"]["password"]
    client = Client()

    signed_in = client.post("/sign-in/", {"username": "lupe", "password": password})
    assert signed_in.status_code == 302
    assert client.get("/").url == "/password/"
    assert client.get("/applications/").url == "/password/"

    new = "a-long-new-passphrase-9"
    changed = client.post(
        "/password/",
        {"old_password": password, "new_password1": new, "new_password2": new},
    )
    assert changed.status_code == 302 and changed.url == "/"
    assert client.get("/").status_code == 200
    assert not PasswordChangeRequired.objects.exists()


def test_a_manager_resets_a_password(client_as):
    manager = client_as("manager")
    manager.post("/staff/", {"username": "lupe", "role": "billing"})

    response = manager.post("/staff/lupe/password/")

    assert response.status_code == 200
    password = response.context["issued"]["password"]
    assert Client().post("/sign-in/", {"username": "lupe", "password": password}).url == "/"
