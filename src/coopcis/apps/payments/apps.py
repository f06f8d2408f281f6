from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "coopcis.apps.payments"
    label = "payments"

    def ready(self) -> None:
        from coopcis.apps.payments.reactions import subscribe_all

        subscribe_all()
