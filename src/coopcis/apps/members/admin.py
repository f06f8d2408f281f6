from django.contrib import admin

from coopcis.apps.members import models


@admin.register(models.Party)
class PartyAdmin(admin.ModelAdmin):
    list_display = ("display_name", "kind", "phone", "email")
    search_fields = ("display_name", "phone", "email")


@admin.register(models.Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("number", "party", "kind", "status", "joined_on", "ended_on")
    list_filter = ("kind", "status")
    search_fields = ("number", "party__display_name")


@admin.register(models.Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ("number", "party", "rate_class", "status", "billing_cycle", "language")
    list_filter = ("rate_class", "status", "language", "paperless", "autopay")
    search_fields = ("number", "party__display_name")


@admin.register(models.ServiceApplication)
class ServiceApplicationAdmin(admin.ModelAdmin):
    list_display = ("id", "party", "rate_class", "tariff_code", "status", "submitted_on")
    list_filter = ("status", "rate_class")
