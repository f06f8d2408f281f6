"""Bank details encrypted at rest, and masked in the audit trail.

Rows written before are encrypted here with the first key of COOPCIS_FIELD_KEYS; audit
events that recorded a mandate's numbers in full are rewritten to the last four digits
(the only edit ever made to the append-only trail: removing what it must not hold).
"""

from django.db import migrations

import coopcis.site.encryption
from coopcis.site.encryption import decrypt_columns, encrypt_plaintext_columns, mask

COLUMNS = ["routing_number", "bank_account_number"]


def encrypt_mandates(apps, schema_editor):
    encrypt_plaintext_columns(schema_editor, "members_bankdraftmandate", COLUMNS)


def decrypt_mandates(apps, schema_editor):
    decrypt_columns(schema_editor, "members_bankdraftmandate", COLUMNS)


def _masked(values):
    return [
        value if value is None or str(value).startswith("•") else mask(value) for value in values
    ]


def mask_audit_events(apps, schema_editor):
    AuditEvent = apps.get_model("audit", "AuditEvent")
    events = AuditEvent.objects.filter(model="members.bankdraftmandate").order_by("pk")
    changed = []
    for event in events.iterator(chunk_size=2000):
        changes = dict(event.changes)
        for field in COLUMNS:
            if field in changes:
                changes[field] = _masked(changes[field])
        if changes != event.changes:
            event.changes = changes
            changed.append(event)
        if len(changed) >= 2000:
            AuditEvent.objects.bulk_update(changed, ["changes"])
            changed = []
    if changed:
        AuditEvent.objects.bulk_update(changed, ["changes"])


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0004_contact_notes"),
        ("audit", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="bankdraftmandate",
            name="bank_account_number",
            field=coopcis.site.encryption.EncryptedTextField(),
        ),
        migrations.AlterField(
            model_name="bankdraftmandate",
            name="routing_number",
            field=coopcis.site.encryption.EncryptedTextField(),
        ),
        migrations.RunPython(encrypt_mandates, decrypt_mandates),
        migrations.RunPython(mask_audit_events, migrations.RunPython.noop),
    ]
