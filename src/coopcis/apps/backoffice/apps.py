from django.apps import AppConfig


class BackofficeConfig(AppConfig):
    name = "coopcis.apps.backoffice"
    label = "backoffice"
