"""Notification URLs outside the portal: the SMS provider's inbound webhook."""

from django.urls import path

from coopcis.apps.notify import views

app_name = "notify"

urlpatterns = [
    path("sms/inbound", views.inbound_sms, name="sms_inbound"),
]
