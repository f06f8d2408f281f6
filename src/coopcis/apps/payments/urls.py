"""Payments API URLs (mounted at ``/api/v1/``, so that ``POST /api/v1/payments`` needs no
trailing slash)."""

from django.urls import path

from coopcis.apps.payments import api

app_name = "payments_api"
urlpatterns = [
    path("payments", api.payments, name="payments"),
    path("payments/accounts/<str:number>/balance", api.balance, name="balance"),
    path("payments/gateway/callback", api.gateway_callback, name="gateway_callback"),
]
