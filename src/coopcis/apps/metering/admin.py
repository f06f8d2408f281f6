from django.contrib import admin

from coopcis.apps.metering import models


@admin.register(models.Meter)
class MeterAdmin(admin.ModelAdmin):
    list_display = ("serial", "kind", "multiplier", "interval_minutes")
    list_filter = ("kind",)
    search_fields = ("serial",)


@admin.register(models.MeterInstallation)
class MeterInstallationAdmin(admin.ModelAdmin):
    list_display = ("meter", "service_point", "installed_on", "removed_on")
