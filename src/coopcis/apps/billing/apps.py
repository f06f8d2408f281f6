from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "coopcis.apps.billing"
    label = "billing"

    def ready(self) -> None:
        from coopcis.apps.billing import distributed
        from coopcis.apps.billing.pdf import printing
        from coopcis.apps.jobs.handlers import register

        # the bill run's batches on workers (bill-run --workers); the worker doing the
        # last batch records the run finished
        register(distributed.KIND, distributed.bill_batch, settle=distributed.settle_bill_run)
        # bills print --workers: each batch writes its PDFs into the shared output folder;
        # the follower writes the manifest from the batches' results
        register(printing.KIND, printing.print_batch)
