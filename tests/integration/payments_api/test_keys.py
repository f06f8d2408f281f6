"""``coopcis payments api-key``: a key is printed once, kept only as a salted hash, works
for its channel until revoked."""

from __future__ import annotations

import pytest

from coopcis.apps.payments.keys import authenticate
from coopcis.apps.payments.models import ChannelApiKey
from coopcis.cli import main

pytestmark = pytest.mark.django_db


def test_create_prints_the_key_once_and_keeps_only_a_hash(capsys):
    assert main(["payments", "api-key", "create", "--channel", "KIOSK",
                 "--name", "Tularosa Travel Center"]) == 0  # fmt: skip
    out = capsys.readouterr().out
    key = next(line for line in out.splitlines() if line.startswith("cpk_"))

    record = ChannelApiKey.objects.get()
    assert record.channel == "KIOSK" and record.name == "Tularosa Travel Center"
    assert f"prefix {record.prefix}" in out and "cannot be shown again" in out
    secret = key.split("_", 2)[2]
    assert len(secret) >= 40
    stored = [getattr(record, field.attname) for field in ChannelApiKey._meta.fields]
    assert not any(secret in str(value) for value in stored)
    assert record.created_by.startswith("cli:")
    assert authenticate(key) == record


def test_revoke_stops_the_key_and_list_shows_it(capsys):
    main(["payments", "api-key", "create", "--channel", "IVR", "--name", "Phone payments"])
    key = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("cpk_"))
    prefix = ChannelApiKey.objects.get().prefix

    assert main(["payments", "api-key", "revoke", prefix]) == 0
    assert main(["payments", "api-key", "list"]) == 0

    out = capsys.readouterr().out
    assert f"Revoked {prefix} (Phone payments)." in out
    assert f"{prefix}\tIVR\trevoked\t120/min\tlast used never\tPhone payments" in out
    assert authenticate(key) is None


def test_only_api_channels_get_keys_and_unknown_prefixes_are_one_line_errors(capsys):
    assert main(["payments", "api-key", "create", "--channel", "OFFICE", "--name", "x"]) == 2
    assert main(["payments", "api-key", "revoke", "nope"]) == 1

    err = capsys.readouterr().err
    assert "invalid choice: 'OFFICE'" in err
    assert "coopcis payments: error: prefix: no API key with prefix 'nope'" in err
    assert not ChannelApiKey.objects.exists()
