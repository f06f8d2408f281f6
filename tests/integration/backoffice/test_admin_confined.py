"""The Django admin is for superusers and reference data: no back door around the back
office's rules (a clerk closing an account there, a read-only user reading bank numbers)."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth.models import User

from coopcis.apps.audit.models import AuditEvent
from coopcis.apps.members.models import Account, BankDraftMandate, Party
from tests.integration.backoffice.factories import staff_user

pytestmark = pytest.mark.django_db

#: Everything the admin may show: sign-ins, their sign-in attempts, and reference data.
REFERENCE_DATA = {
    "auth.group",
    "auth.user",
    "axes.accessattempt",
    "axes.accessfailurelog",
    "axes.accesslog",
    "metering.meter",
    "premises.premise",
    "premises.servicepoint",
}


def test_only_reference_data_is_registered():
    registered = {model._meta.label_lower for model in admin.site._registry}

    assert registered == REFERENCE_DATA


@pytest.mark.parametrize("role", ["customer_service", "read_only", "manager"])
def test_staff_of_every_role_are_refused_even_with_is_staff(client, maria, role):
    user = staff_user(role)
    user.is_staff = True
    user.save()
    client.force_login(user)

    for url in ("/admin/", f"/admin/members/account/{maria.account.pk}/change/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith("/admin/login/")
    response = client.post(
        f"/admin/members/account/{maria.account.pk}/change/", {"status": "CLOSED"}
    )
    assert response.status_code == 302
    maria.account.refresh_from_db()
    assert maria.account.status != "CLOSED"


def test_a_superuser_sees_reference_data_but_no_member_or_audit_pages(client, maria):
    client.force_login(User.objects.create_superuser("root", password="x" * 12))

    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/premises/premise/").status_code == 200
    for model in (Account, Party, BankDraftMandate, AuditEvent):
        label = model._meta
        assert client.get(f"/admin/{label.app_label}/{label.model_name}/").status_code == 404
