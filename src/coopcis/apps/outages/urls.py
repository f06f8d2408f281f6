"""Outage pages (mounted at /outages/): the restoration queue, an outage's page and its
actions, life-support certificates, and the outage map."""

from django.urls import path

from coopcis.apps.outages import life_support_views, views

app_name = "outages"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("map/", views.outage_map, name="map"),
    path("map.json", views.map_data, name="map_data"),
    path("<int:outage_id>/", views.detail, name="detail"),
    path("<int:outage_id>/estimate/", views.estimate, name="estimate"),
    path("<int:outage_id>/also-out/", views.also_out, name="also_out"),
    path("<int:outage_id>/restore/", views.restore, name="restore"),
    path(
        "life-support/<str:number>/",
        life_support_views.life_support,
        name="life_support",
    ),
    path(
        "life-support/certificates/<int:certificate_id>/letter.pdf",
        life_support_views.letter,
        name="life_support_letter",
    ),
]
