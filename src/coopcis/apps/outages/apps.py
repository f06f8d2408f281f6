from django.apps import AppConfig


class OutagesConfig(AppConfig):
    name = "coopcis.apps.outages"
    label = "outages"
    verbose_name = "Outages and reliability"
