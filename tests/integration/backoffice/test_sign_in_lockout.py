"""Five failed sign-ins for one user name, or from one address, lock it out for 15
minutes (django-axes); every attempt is kept."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.test import Client
from django.urls import reverse

from tests.integration.backoffice.factories import PASSWORD, staff_user

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)


def sign_in(client: Client, username: str, password: str, address: str = "10.0.0.7"):
    return client.post(
        reverse("backoffice:login"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
    )


def is_signed_in(response) -> bool:
    return response.status_code == 302 and response.url == "/"


def test_five_wrong_passwords_lock_the_user_out_for_fifteen_minutes(client):
    staff_user("customer_service", username="rosa")
    with time_machine.travel(NOW, tick=False) as clock:
        for _ in range(4):
            assert sign_in(client, "rosa", "wrong").status_code == 200
        assert sign_in(client, "rosa", "wrong").status_code == 429  # the fifth locks

        locked = sign_in(client, "rosa", PASSWORD)
        assert locked.status_code == 429
        assert "Sign-in locked" in locked.text
        assert "_auth_user_id" not in client.session

        clock.move_to(NOW + timedelta(minutes=15, seconds=1))
        assert is_signed_in(sign_in(client, "rosa", PASSWORD))


def test_trying_again_while_locked_out_starts_the_fifteen_minutes_again(client):
    staff_user("customer_service", username="rosa")
    with time_machine.travel(NOW, tick=False) as clock:
        for _ in range(5):
            sign_in(client, "rosa", "wrong")

        clock.move_to(NOW + timedelta(minutes=14, seconds=59))
        assert sign_in(client, "rosa", PASSWORD).status_code == 429

        clock.move_to(NOW + timedelta(minutes=15, seconds=1))
        assert sign_in(client, "rosa", PASSWORD).status_code == 429
        clock.move_to(NOW + timedelta(minutes=30, seconds=3))  # 15 min after the latest
        assert is_signed_in(sign_in(client, "rosa", PASSWORD))


def test_fifty_wrong_passwords_then_the_right_one_does_not_sign_in(client):
    staff_user("billing", username="ben")
    with time_machine.travel(NOW, tick=False):
        for _ in range(50):
            sign_in(client, "ben", "guess")

        assert sign_in(client, "ben", PASSWORD).status_code == 429


def test_the_lockout_holds_from_another_address_for_the_same_user(client):
    staff_user("billing", username="ben")
    with time_machine.travel(NOW, tick=False):
        for _ in range(5):
            sign_in(client, "ben", "guess", address="10.0.0.7")

        assert sign_in(Client(), "ben", PASSWORD, address="192.0.2.44").status_code == 429


def test_five_failures_from_one_address_lock_that_address_for_every_user(client):
    staff_user("billing", username="ben")
    with time_machine.travel(NOW, tick=False):
        for name in ("ann", "bob", "cy", "dee", "ed"):
            sign_in(client, name, "guess", address="203.0.113.9")

        assert sign_in(Client(), "ben", PASSWORD, address="203.0.113.9").status_code == 429
        assert is_signed_in(sign_in(Client(), "ben", PASSWORD, address="10.0.0.8"))


def test_four_failures_then_success_signs_in_and_every_attempt_is_kept(client):
    staff_user("billing", username="ben")
    with time_machine.travel(NOW, tick=False):
        for _ in range(4):
            sign_in(client, "ben", "guess")

        assert is_signed_in(sign_in(client, "ben", PASSWORD))

    failures = AccessFailureLog.objects.filter(username="ben")
    assert failures.count() == 4
    assert {f.ip_address for f in failures} == {"10.0.0.7"}
    assert AccessLog.objects.filter(username="ben").count() == 1
    assert not AccessAttempt.objects.filter(username="ben").exists()  # reset on success


def test_the_admin_sign_in_is_locked_out_too(client):
    with time_machine.travel(NOW, tick=False):
        for _ in range(5):
            client.post("/admin/login/", {"username": "root", "password": "guess"})

        response = client.post("/admin/login/", {"username": "root", "password": "guess"})
        assert response.status_code == 429
