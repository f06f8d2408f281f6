from django.apps import AppConfig


class CreditConfig(AppConfig):
    name = "coopcis.apps.credit"
    label = "credit"
