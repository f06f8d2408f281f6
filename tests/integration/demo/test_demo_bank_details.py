"""The demo's bank-draft mandates are stored encrypted and audited masked."""

from __future__ import annotations

import json

from django.db import connection

from coopcis.apps.audit.models import AuditEvent
from coopcis.apps.members.models import BankDraftMandate


def test_no_demo_bank_number_is_stored_or_audited_in_full(demo_coop):
    mandates = list(BankDraftMandate.objects.all())
    assert mandates
    with connection.cursor() as cursor:
        cursor.execute("SELECT routing_number, bank_account_number FROM members_bankdraftmandate")
        stored = cursor.fetchall()
    assert all(r.startswith("gAAAAA") and n.startswith("gAAAAA") for r, n in stored)
    events = AuditEvent.objects.filter(model="members.bankdraftmandate")
    trail = json.dumps(list(events.values_list("changes", flat=True)), ensure_ascii=False)
    assert trail.count("bank_account_number") == len(mandates)
    for mandate in mandates:
        assert mandate.bank_account_number not in trail
        assert mandate.routing_number not in trail
        assert f"•{mandate.bank_account_number[-4:]}" in trail
