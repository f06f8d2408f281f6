from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "coopcis.apps.billing"
    label = "billing"
