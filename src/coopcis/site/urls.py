"""URL map: the back office at /, the member portal at /portal/, the language switch at
/i18n/setlang/, the Django admin at /admin/ (superusers, reference data only:
coopcis/site/admin.py)."""

from django.contrib import admin
from django.urls import include, path

from coopcis.site import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/schema", api.schema, name="api_schema"),
    path("api/v1/", api.api.urls),
    path("portal/", include("coopcis.apps.portal.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("capital-credits/", include("coopcis.apps.capital_credits.urls")),
    path("notify/", include("coopcis.apps.notify.urls")),
    path("governance/", include("coopcis.apps.governance.urls")),
    path("jobs/", include("coopcis.apps.jobs.urls")),
    path("outages/", include("coopcis.apps.outages.urls")),
    path("", include("coopcis.apps.backoffice.urls")),
]
