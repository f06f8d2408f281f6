from django.apps import AppConfig


class CapitalCreditsConfig(AppConfig):
    name = "coopcis.apps.capital_credits"
    label = "capital_credits"
    verbose_name = "Capital credits"
