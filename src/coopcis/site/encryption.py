"""Member bank details encrypted at rest: a model field, masking, and key rotation.

Routing and bank account numbers (mandates, prenotes) and the NACHA text of draft and
return files are stored as Fernet tokens (AES-128-CBC with HMAC-SHA256, from the
``cryptography`` package) under the keys in ``settings.COOPCIS_FIELD_KEYS``: the first
encrypts, every one decrypts, so a new key is put first and
``coopcis field-keys rotate`` re-encrypts every row under it before the old one goes.
A token cannot be searched for, so such a field accepts no lookup but ``isnull``;
code compares decrypted values in Python. Screens and the audit trail show
:func:`mask` (the last four digits); the full number leaves the database only into a
NACHA file at the moment the file is made.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.apps import apps
from django.conf import settings
from django.db import models

#: Every Fernet token starts so (version byte 0x80, base64): plaintext never does here.
TOKEN_PREFIX = "gAAAAA"


def mask(value: Any) -> str:
    """``"123456789"`` -> ``"•••••6789"``: the last four digits only."""
    text = "" if value is None else str(value)
    if len(text) <= 4:
        return "•" * len(text)
    return "•" * (len(text) - 4) + text[-4:]


@lru_cache(maxsize=4)
def _cipher(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ValueError("no field encryption key: set COOPCIS_FIELD_KEY")
    return MultiFernet([Fernet(key.encode()) for key in keys])


def cipher() -> MultiFernet:
    return _cipher(tuple(settings.COOPCIS_FIELD_KEYS))


def encrypt(text: str) -> str:
    return cipher().encrypt(text.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return cipher().decrypt(token.encode()).decode()
    except InvalidToken:
        raise ValueError(
            "an encrypted field does not open with any key in COOPCIS_FIELD_KEY "
            "(a key was removed before `coopcis field-keys rotate`?)"
        ) from None


def is_token(value: str) -> bool:
    return value.startswith(TOKEN_PREFIX)


class EncryptedTextField(models.TextField):
    """Text stored as a Fernet token; reads give the plaintext back."""

    description = "Text encrypted at rest (COOPCIS_FIELD_KEYS)"

    def get_internal_type(self) -> str:
        # Not "TextField": fast bulk writers pass a TextField's value through as it is,
        # and this one must always go through get_db_prep_save (encryption).
        return "EncryptedTextField"

    def db_type(self, connection: Any) -> str | None:
        return str(connection.data_types["TextField"])

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        return None if value is None else decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        return None if value is None else encrypt(str(value))

    def get_lookup(self, lookup_name: str) -> Any:
        # A token differs on every write: only "is it set" can be asked of the database.
        return super().get_lookup(lookup_name) if lookup_name == "isnull" else None


def encrypted_fields() -> Iterator[tuple[type[models.Model], list[str]]]:
    """Each model with encrypted fields, and their names."""
    for model in apps.get_models():
        names = [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        if names:
            yield model, names


def rotate_keys(*, batch_size: int = 2000) -> dict[str, int]:
    """Re-encrypt every encrypted field under the first key; rows per model."""
    rewritten: dict[str, int] = {}
    for model, names in encrypted_fields():
        count = 0
        pks = list(model._default_manager.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(pks), batch_size):
            rows = list(
                model._default_manager.filter(pk__in=pks[start : start + batch_size]).only(*names)
            )
            model._default_manager.bulk_update(rows, names)
            count += len(rows)
        rewritten[model._meta.label] = count
    return rewritten


def encrypt_plaintext_columns(schema_editor: Any, table: str, columns: list[str]) -> int:
    """For a data migration: encrypt the values of ``columns`` still stored in plaintext
    (rows written before the field was encrypted); returns how many rows changed. Raw SQL,
    since the migration's model already expects tokens. Safe to run twice."""
    return _rewrite_columns(
        schema_editor, table, columns, lambda v: v if is_token(v) else encrypt(v)
    )


def decrypt_columns(schema_editor: Any, table: str, columns: list[str]) -> int:
    """The reverse, for unapplying such a migration."""
    return _rewrite_columns(
        schema_editor, table, columns, lambda v: decrypt(v) if is_token(v) else v
    )


def _rewrite_columns(schema_editor: Any, table: str, columns: list[str], change: Any) -> int:
    connection = schema_editor.connection
    quote = connection.ops.quote_name
    names = ", ".join(quote(column) for column in columns)
    assignments = ", ".join(f"{quote(column)} = %s" for column in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, {names} FROM {quote(table)}")
        rows = cursor.fetchall()
        updates = []
        for pk, *values in rows:
            new = [None if value is None else change(value) for value in values]
            if new != values:
                updates.append((*new, pk))
        if updates:
            cursor.executemany(f"UPDATE {quote(table)} SET {assignments} WHERE id = %s", updates)
    return len(updates)
