from django.apps import AppConfig


class RebatesConfig(AppConfig):
    name = "coopcis.apps.rebates"
    label = "rebates"
