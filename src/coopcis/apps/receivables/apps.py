from django.apps import AppConfig


class ReceivablesConfig(AppConfig):
    name = "coopcis.apps.receivables"
    label = "receivables"
