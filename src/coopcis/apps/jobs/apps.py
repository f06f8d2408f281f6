from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "coopcis.apps.jobs"
    label = "jobs"
