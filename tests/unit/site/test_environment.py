"""Secrets: production refuses to start without them, naming each; development makes
its own once per installation and keeps them (owner-only) in the var folder."""

from __future__ import annotations

import base64
import stat

import pytest

from coopcis.site.environment import (
    MissingSecrets,
    load_secrets,
    new_field_key,
    parse_field_keys,
    read_mode,
)

GOOD = {
    "COOPCIS_SECRET_KEY": "k" * 40 + "abcdefghijkl",
    "COOPCIS_GATEWAY_SECRET": "g" * 32,
    "COOPCIS_FIELD_KEY": new_field_key(),
}


def test_production_names_every_missing_secret_on_its_own_line(tmp_path):
    with pytest.raises(MissingSecrets) as refused:
        load_secrets(mode="production", var_dir=tmp_path, environ={})

    lines = str(refused.value).splitlines()
    assert lines[0] == "production mode refuses to start without its secrets:"
    assert [line.split()[0] for line in lines[1:]] == [
        "COOPCIS_SECRET_KEY",
        "COOPCIS_GATEWAY_SECRET",
        "COOPCIS_FIELD_KEY",
    ]
    assert all(" is not set " in line for line in lines[1:])
    assert list(tmp_path.iterdir()) == []  # nothing generated in production


def test_production_names_only_the_missing_one(tmp_path):
    environ = {name: value for name, value in GOOD.items() if name != "COOPCIS_GATEWAY_SECRET"}

    with pytest.raises(MissingSecrets) as refused:
        load_secrets(mode="production", var_dir=tmp_path, environ=environ)

    assert str(refused.value).splitlines()[1:] == [
        "COOPCIS_GATEWAY_SECRET is not set "
        "(the payment processor's callback signing secret, 32+ characters)"
    ]


@pytest.mark.parametrize(
    ("name", "value", "problem"),
    [
        ("COOPCIS_SECRET_KEY", "short", "is too weak"),
        ("COOPCIS_SECRET_KEY", "django-insecure-" + "x1y2z3" * 10, "is too weak"),
        ("COOPCIS_GATEWAY_SECRET", "s3cret", "is too short"),
        ("COOPCIS_FIELD_KEY", "not-a-key", "key 1 is not a Fernet key"),
        ("COOPCIS_FIELD_KEY", new_field_key() + ",AAAA", "key 2 is not a Fernet key"),
    ],
)
def test_production_refuses_weak_or_malformed_secrets(tmp_path, name, value, problem):
    with pytest.raises(MissingSecrets) as refused:
        load_secrets(mode="production", var_dir=tmp_path, environ={**GOOD, name: value})

    assert str(refused.value).splitlines()[1].startswith(f"{name} {problem}")


def test_production_takes_its_secrets_from_the_environment(tmp_path):
    assert load_secrets(mode="production", var_dir=tmp_path, environ=GOOD) == GOOD


def test_development_generates_each_secret_once_and_keeps_it_private(tmp_path):
    first = load_secrets(mode="development", var_dir=tmp_path, environ={})
    again = load_secrets(mode="development", var_dir=tmp_path, environ={})
    elsewhere = load_secrets(mode="development", var_dir=tmp_path / "other", environ={})

    assert first == again
    assert all(first[name] != elsewhere[name] for name in first)  # per installation
    assert len(first["COOPCIS_SECRET_KEY"]) >= 50
    assert len(base64.urlsafe_b64decode(first["COOPCIS_FIELD_KEY"])) == 32
    for name in ("secret-key", "gateway-secret", "field-key"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600


def test_development_uses_a_secret_from_the_environment(tmp_path):
    values = load_secrets(mode="development", var_dir=tmp_path, environ={"COOPCIS_SECRET_KEY": "x"})

    assert values["COOPCIS_SECRET_KEY"] == "x"
    assert not (tmp_path / "secret-key").exists()


def test_a_malformed_field_key_is_refused_in_development_too(tmp_path):
    with pytest.raises(MissingSecrets, match="COOPCIS_FIELD_KEY key 1 is not a Fernet key"):
        load_secrets(mode="development", var_dir=tmp_path, environ={"COOPCIS_FIELD_KEY": "abc"})


def test_field_keys_rotate_first_one_encrypts():
    old, new = new_field_key(), new_field_key()

    assert parse_field_keys(f" {new} , {old} ,") == [new, old]


def test_the_mode_is_production_or_development():
    assert read_mode({}) == "development"
    assert read_mode({"COOPCIS_ENV": "Production"}) == "production"
    with pytest.raises(Exception, match="COOPCIS_ENV must be"):
        read_mode({"COOPCIS_ENV": "staging"})
