"""``coopcis staff add NAME --role ROLE``: a sign-in with a role and a one-time password."""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import Group, User

from coopcis.apps.staff.models import PasswordChangeRequired
from coopcis.apps.staff.roles import ROLE_NAMES
from coopcis.cli import main

pytestmark = pytest.mark.django_db


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def printed_password(out: str) -> str:
    lines = out.splitlines()
    return lines[lines.index(next(line for line in lines if "One-time password" in line)) + 1]


def test_a_manager_adds_a_representative_with_a_role_and_a_one_time_password(capsys, rf):
    code, out, _ = run(
        capsys, "staff", "add", "rosa", "--role", "customer_service", "--full-name", "Rosa Baca"
    )

    assert code == 0
    password = printed_password(out)
    assert len(password) == 16
    rosa = User.objects.get(username="rosa")
    assert [g.name for g in rosa.groups.all()] == ["Customer service"]
    assert rosa.get_full_name() == "Rosa Baca"
    assert rosa.is_staff and not rosa.is_superuser
    assert authenticate(rf.post("/sign-in/"), username="rosa", password=password) == rosa
    assert password not in rosa.password  # only the salted hash is kept
    assert PasswordChangeRequired.objects.filter(user=rosa).exists()


def test_only_a_manager_adds_sign_ins(capsys):
    clerk = User.objects.create_user(username="ana")
    clerk.groups.add(Group.objects.get(name=ROLE_NAMES["customer_service"]))

    code, _, err = run(capsys, "staff", "add", "eve", "--role", "manager", "--as", "ana")

    assert code == 1 and "only a manager may add staff sign-ins" in err
    assert not User.objects.filter(username="eve").exists()


def test_bad_role_and_taken_name_are_one_line_errors(capsys):
    code, _, err = run(capsys, "staff", "add", "rosa", "--role", "boss")
    assert code == 2 and "invalid choice: 'boss'" in err and err.count("\n") == 1

    run(capsys, "staff", "add", "rosa", "--role", "billing")
    code, _, err = run(capsys, "staff", "add", "rosa", "--role", "billing")
    assert code == 1 and "there is already a sign-in 'rosa'" in err


def test_the_first_sign_in_of_an_empty_install_needs_no_operator_and_is_a_manager(
    capsys, monkeypatch
):
    User.objects.all().delete()
    monkeypatch.delenv("COOPCIS_OPERATOR")

    code, _, err = run(capsys, "staff", "add", "gm", "--role", "billing")
    assert code == 1 and "the first sign-in must be a manager" in err

    assert run(capsys, "staff", "add", "gm", "--role", "manager")[0] == 0
    code, _, err = run(capsys, "staff", "add", "rosa", "--role", "billing")
    assert code == 1 and "--as USER or COOPCIS_OPERATOR" in err


def test_password_gives_a_new_one_time_password(capsys, rf):
    _, out, _ = run(capsys, "staff", "add", "rosa", "--role", "billing")
    old = printed_password(out)

    code, out, _ = run(capsys, "staff", "password", "rosa")

    new = printed_password(out)
    assert code == 0 and new != old
    assert authenticate(rf.post("/sign-in/"), username="rosa", password=new) is not None


def test_list_shows_each_sign_in_and_its_role(capsys):
    run(capsys, "staff", "add", "rosa", "--role", "billing")

    code, out, _ = run(capsys, "staff", "list", "--as", "rosa")

    assert code == 0
    assert any(line.split()[:2] == ["rosa", "billing"] for line in out.splitlines())
    assert any(line.split()[:2] == ["operator", "manager"] for line in out.splitlines())
