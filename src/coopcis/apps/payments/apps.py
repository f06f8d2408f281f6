from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "coopcis.apps.payments"
    label = "payments"
