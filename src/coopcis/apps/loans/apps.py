from django.apps import AppConfig


class LoansConfig(AppConfig):
    name = "coopcis.apps.loans"
    label = "loans"
