from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "coopcis.apps.staff"
    label = "staff"
