from django.apps import AppConfig


class CapitalCreditsConfig(AppConfig):
    name = "coopcis.apps.capital_credits"
    label = "capital_credits"
    verbose_name = "Capital credits"

    def ready(self) -> None:
        from coopcis.apps.capital_credits import notices  # noqa: F401  (registers its kind)
        from coopcis.apps.capital_credits.distributed import (
            KIND,
            patronage_batch,
            settle_allocation,
        )
        from coopcis.apps.jobs.handlers import register

        # allocate --workers: the patronage summed in batches on workers; the worker doing
        # the last batch splits the margins over all patrons and posts them, once
        register(KIND, patronage_batch, settle=settle_allocation)
