from django.apps import AppConfig


class OutagesConfig(AppConfig):
    name = "coopcis.apps.outages"
    label = "outages"
    verbose_name = "Outages and reliability"

    def ready(self) -> None:
        from coopcis.apps.outages import life_support  # noqa: F401  (registers its kind)
