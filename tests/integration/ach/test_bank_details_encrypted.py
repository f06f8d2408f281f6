"""Members' bank details are encrypted at rest, masked in the audit trail and on screens,
and written in full only into the NACHA file when it is made."""

from __future__ import annotations

import importlib
import json
from types import SimpleNamespace

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.apps import apps as django_apps
from django.core.exceptions import FieldError
from django.db import connection

from coopcis.apps.audit.models import AuditEvent
from coopcis.apps.members.models import BankDraftMandate
from coopcis.apps.payments.ach.models import AchFile, Prenote
from coopcis.core.payments.nacha import read_ach_file
from tests.integration.ach.helpers import coopcis, enroll
from tests.unit.nacha.achlens_check import assert_achlens_valid

pytestmark = pytest.mark.django_db

ROUTING, NUMBER = "011000015", "123456789"


def raw(table: str, column: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} ORDER BY id")
        return [row[0] for row in cursor.fetchall()]


def audit_text() -> str:
    return json.dumps(list(AuditEvent.objects.values_list("changes", flat=True)))


def test_the_database_holds_tokens_and_the_trail_the_last_four_digits(small_coop):
    mandate = enroll(small_coop.home, routing=ROUTING, number=NUMBER)

    for table in ("members_bankdraftmandate", "payments_prenote"):
        for column in ("routing_number", "bank_account_number"):
            (stored,) = raw(table, column)
            assert stored.startswith("gAAAAA") and ROUTING not in stored and NUMBER not in stored
    mandate = BankDraftMandate.objects.get(pk=mandate.pk)
    assert (mandate.routing_number, mandate.bank_account_number) == (ROUTING, NUMBER)
    event = AuditEvent.objects.get(model="members.bankdraftmandate")
    assert event.changes["bank_account_number"] == [None, "•••••6789"]
    assert event.changes["routing_number"] == [None, "•••••0015"]
    assert NUMBER not in audit_text() and ROUTING not in audit_text()


def test_a_change_of_hidden_digits_is_still_recorded(small_coop):
    enroll(small_coop.home, number="111116789")
    enroll(small_coop.home, number="222226789")

    update = AuditEvent.objects.filter(model="members.bankdraftmandate", action="UPDATE").get()
    assert update.changes["bank_account_number"] == ["•••••6789", "•••••6789"]


def test_the_database_cannot_be_searched_for_a_number(small_coop):
    enroll(small_coop.home)

    with pytest.raises(FieldError):
        BankDraftMandate.objects.filter(bank_account_number=NUMBER).exists()
    assert BankDraftMandate.objects.filter(routing_number__isnull=False).count() == 1


def test_the_nacha_file_carries_the_full_numbers_only_when_made(
    small_coop, originator, capsys, tmp_path
):
    enroll(small_coop.home, routing=ROUTING, number=NUMBER)

    code, _, err = coopcis(capsys, "ach", "draft", "--date", "2026-10-03", "--out", tmp_path / "f")

    assert code == 0, err
    text = (tmp_path / "f").read_text()
    assert_achlens_valid(text)
    (entry,) = read_ach_file(text).entries
    assert (entry.routing_number, entry.account_number) == (ROUTING, NUMBER)
    (stored,) = raw("payments_achfile", "text")
    assert stored.startswith("gAAAAA") and NUMBER not in stored
    assert AchFile.objects.get().text == text  # kept to send again as it was


def test_rotation_re_encrypts_under_the_first_key(small_coop, settings, capsys):
    enroll(small_coop.home, routing=ROUTING, number=NUMBER)
    old = settings.COOPCIS_FIELD_KEYS[0]
    new = Fernet.generate_key().decode()
    settings.COOPCIS_FIELD_KEYS = [new, old]

    code, out, _ = coopcis(capsys, "field-keys", "rotate", "--json")

    assert code == 0
    assert json.loads(out)["members.BankDraftMandate"] == 1
    (stored,) = raw("members_bankdraftmandate", "bank_account_number")
    assert Fernet(new.encode()).decrypt(stored.encode()).decode() == NUMBER
    with pytest.raises(InvalidToken):
        Fernet(old.encode()).decrypt(stored.encode())
    settings.COOPCIS_FIELD_KEYS = [new]  # the old key can go
    assert BankDraftMandate.objects.get().bank_account_number == NUMBER
    assert Prenote.objects.get().bank_account_number == NUMBER


def test_a_missing_key_is_a_readable_error(small_coop, settings):
    enroll(small_coop.home)
    settings.COOPCIS_FIELD_KEYS = [Fernet.generate_key().decode()]

    with pytest.raises(ValueError, match="does not open with any key in COOPCIS_FIELD_KEY"):
        BankDraftMandate.objects.get()


def test_the_migration_encrypts_plaintext_rows_and_masks_the_trail(small_coop):
    mandate = enroll(small_coop.home, routing=ROUTING, number=NUMBER)
    with connection.cursor() as cursor:  # as an install from before encryption had them
        cursor.execute(
            "UPDATE members_bankdraftmandate SET routing_number = %s, bank_account_number = %s",
            [ROUTING, NUMBER],
        )
    AuditEvent.objects.filter(model="members.bankdraftmandate").update(
        changes={"routing_number": [None, ROUTING], "bank_account_number": ["55554444", NUMBER]}
    )
    migration = importlib.import_module(
        "coopcis.apps.members.migrations.0005_bank_details_encrypted"
    )

    editor = SimpleNamespace(connection=connection)  # all the data steps use of it

    migration.encrypt_mandates(django_apps, editor)
    migration.encrypt_mandates(django_apps, editor)  # twice: still one layer
    migration.mask_audit_events(django_apps, editor)

    (stored,) = raw("members_bankdraftmandate", "bank_account_number")
    assert stored.startswith("gAAAAA")
    mandate.refresh_from_db()
    assert mandate.bank_account_number == NUMBER
    event = AuditEvent.objects.get(model="members.bankdraftmandate")
    assert event.changes == {
        "routing_number": [None, "•••••0015"],
        "bank_account_number": ["••••4444", "•••••6789"],
    }
