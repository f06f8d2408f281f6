"""URL map: the back office at /, the Django admin for reference data at /admin/."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("coopcis.apps.payments.urls")),
    path("", include("coopcis.apps.backoffice.urls")),
]
