from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "coopcis.apps.billing"
    label = "billing"

    def ready(self) -> None:
        from coopcis.apps.billing.distributed import KIND, bill_batch
        from coopcis.apps.jobs.handlers import register

        register(KIND, bill_batch)  # the bill run's batches on workers (bill-run --workers)
