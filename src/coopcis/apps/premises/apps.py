from django.apps import AppConfig


class PremisesConfig(AppConfig):
    name = "coopcis.apps.premises"
    label = "premises"
