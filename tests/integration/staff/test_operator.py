"""Command-line changes are attributed to a named staff sign-in, never to ``$USER``."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User

from coopcis.apps.payments.models import ChannelApiKey
from coopcis.apps.staff.roles import ROLE_NAMES
from coopcis.cli import main

pytestmark = pytest.mark.django_db

CREATE_KEY = ["payments", "api-key", "create", "--channel", "KIOSK", "--name", "Tularosa"]


def clerk(username: str, role: str) -> User:
    user = User.objects.create_user(username=username, password="x" * 12)
    user.groups.add(Group.objects.get(name=ROLE_NAMES[role]))
    return user


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_a_change_without_an_operator_is_refused_whatever_user_says(capsys, monkeypatch):
    monkeypatch.delenv("COOPCIS_OPERATOR")
    monkeypatch.setenv("USER", "root")

    code, _, err = run(capsys, *CREATE_KEY)

    assert code == 1
    assert err.count("\n") == 1 and "--as USER or COOPCIS_OPERATOR" in err
    assert not ChannelApiKey.objects.exists()


def test_the_change_is_attributed_to_the_named_sign_in(capsys, monkeypatch):
    monkeypatch.delenv("COOPCIS_OPERATOR")
    clerk("ana", "customer_service")

    code, _, _ = run(capsys, *CREATE_KEY, "--as", "ana")

    assert code == 0
    assert ChannelApiKey.objects.get().created_by == "cli:ana:payments"


def test_the_operator_variable_names_the_sign_in(capsys, monkeypatch):
    clerk("ben", "finance")
    monkeypatch.setenv("COOPCIS_OPERATOR", "ben")

    assert run(capsys, *CREATE_KEY)[0] == 0
    assert ChannelApiKey.objects.get().created_by == "cli:ben:payments"


def test_as_goes_before_the_subcommand_too_and_wins_over_the_variable(capsys):
    clerk("ana", "customer_service")

    assert run(capsys, "payments", "--as", "ana", *CREATE_KEY[1:])[0] == 0
    assert ChannelApiKey.objects.get().created_by == "cli:ana:payments"


@pytest.mark.parametrize("name", ["nobody", "gone"])
def test_an_unknown_or_inactive_sign_in_is_refused(capsys, name):
    User.objects.create_user(username="gone", is_active=False)

    code, _, err = run(capsys, *CREATE_KEY, "--as", name)

    assert code == 1 and f"{name!r} is not an active staff sign-in" in err
    assert not ChannelApiKey.objects.exists()


def test_read_only_may_read_but_not_change(capsys):
    clerk("rita", "read_only")

    assert run(capsys, "payments", "api-key", "list", "--as", "rita")[0] == 0
    code, _, err = run(capsys, *CREATE_KEY, "--as", "rita")

    assert code == 1 and "no role that may change data" in err
    assert not ChannelApiKey.objects.exists()


def test_commands_that_only_read_need_no_operator(capsys, monkeypatch):
    monkeypatch.delenv("COOPCIS_OPERATOR")

    assert run(capsys, "payments", "api-key", "list")[0] == 0
    assert run(capsys, "report", "trial-balance")[0] == 0
    code, _, err = run(capsys, "report", "trial-balance", "--as", "nobody")
    assert code == 1 and "'nobody' is not an active staff sign-in" in err
