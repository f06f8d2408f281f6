"""The Django admin, confined: superusers only, and reference data only.

Members, accounts, bank details, applications, agreements, payments and the audit trail
are not registered here: every change to them goes through the back office's services,
which check the staff role and write the audit trail. A staff user with ``is_staff`` but
not ``is_superuser`` is refused at the admin's sign-in, whatever model permissions the
role's group holds.
"""

from __future__ import annotations

from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest


class ReferenceDataAdminSite(AdminSite):
    site_header = "coopcis reference data"
    site_title = "coopcis reference data"
    index_title = "Reference data (superusers only)"

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and user.is_superuser)


class ReferenceDataAdminConfig(AdminConfig):
    default_site = "coopcis.site.admin.ReferenceDataAdminSite"
