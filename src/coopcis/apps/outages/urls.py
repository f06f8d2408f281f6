"""Outage pages (mounted at /outages/): the restoration queue and its actions."""

from django.urls import path

from coopcis.apps.outages import views

app_name = "outages"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("<int:outage_id>/estimate/", views.estimate, name="estimate"),
    path("<int:outage_id>/restore/", views.restore, name="restore"),
]
