"""Meters in the admin (superusers only): reference data. Installing and removing meters,
reads and their exceptions go through the services (``coopcis meter``, ``coopcis reads``).
"""

from django.contrib import admin

from coopcis.apps.metering import models


@admin.register(models.Meter)
class MeterAdmin(admin.ModelAdmin):
    list_display = ("serial", "kind", "multiplier", "interval_minutes")
    list_filter = ("kind",)
    search_fields = ("serial",)
