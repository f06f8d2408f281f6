from django.contrib import admin

from coopcis.apps.premises import models


@admin.register(models.Premise)
class PremiseAdmin(admin.ModelAdmin):
    list_display = ("line1", "city", "county", "district", "kind")
    list_filter = ("district", "county", "kind")
    search_fields = ("search_text",)


@admin.register(models.ServicePoint)
class ServicePointAdmin(admin.ModelAdmin):
    list_display = ("code", "premise", "kind", "feeder", "transformer")
    search_fields = ("code", "feeder", "transformer")


@admin.register(models.ServiceAgreement)
class ServiceAgreementAdmin(admin.ModelAdmin):
    list_display = ("account", "service_point", "tariff_code", "start_on", "end_on")
    list_filter = ("tariff_code",)
