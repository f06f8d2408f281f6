from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "coopcis.apps.billing"
    label = "billing"

    def ready(self) -> None:
        from coopcis.apps.billing.distributed import KIND, bill_batch, settle_bill_run
        from coopcis.apps.jobs.handlers import register

        # the bill run's batches on workers (bill-run --workers); the worker doing the
        # last batch records the run finished
        register(KIND, bill_batch, settle=settle_bill_run)
