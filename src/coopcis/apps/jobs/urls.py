"""Batch-job pages (mounted at /jobs/)."""

from django.urls import path

from coopcis.apps.jobs import views

app_name = "jobs"
urlpatterns = [
    path("", views.job_list, name="jobs"),
    path("<int:job_id>/", views.job_page, name="job"),
]
