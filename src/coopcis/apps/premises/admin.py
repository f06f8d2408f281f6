"""Premises and service points in the admin (superusers only): reference data. Service
agreements belong to accounts and change only through the back office.
"""

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
