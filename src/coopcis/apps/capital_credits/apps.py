from django.apps import AppConfig


class CapitalCreditsConfig(AppConfig):
    name = "coopcis.apps.capital_credits"
    label = "capital_credits"
    verbose_name = "Capital credits"

    def ready(self) -> None:
        from coopcis.apps.capital_credits import notices  # noqa: F401  (registers its kind)
