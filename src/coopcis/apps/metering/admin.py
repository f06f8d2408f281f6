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


@admin.register(models.ReadImportBatch)
class ReadImportBatchAdmin(admin.ModelAdmin):
    list_display = ("file_name", "format", "imported_at", "rows_stored", "rows_skipped")
    list_filter = ("format",)
    readonly_fields = ("content_sha256", "skipped")


@admin.register(models.ReadException)
class ReadExceptionAdmin(admin.ModelAdmin):
    list_display = ("meter", "billing_month", "kind", "status", "period_start", "period_end")
    list_filter = ("status", "kind", "billing_month")
    search_fields = ("meter__serial",)
    raw_id_fields = ("meter", "read")
