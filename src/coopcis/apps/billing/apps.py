from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "coopcis.apps.billing"
    label = "billing"

    def ready(self) -> None:
        from coopcis.apps.billing import distributed
        from coopcis.apps.billing.pdf import printing
        from coopcis.apps.jobs.handlers import register
        from coopcis.commands import rate_study

        # the bill run's batches on workers (bill-run --workers); the worker doing the
        # last batch records the run finished
        register(distributed.KIND, distributed.bill_batch, settle=distributed.settle_bill_run)
        # bills print --workers: each batch writes its PDFs into the shared output folder;
        # the worker doing the last batch writes the manifest from the batches' results
        register(printing.KIND, printing.print_batch, settle=printing.settle_print)
        # rate study --workers: the study's batches of row groups. The study itself is
        # Django-free (coopcis.commands, on coopcis.core): it registers here, where the
        # rating it serves lives; it imports only the jobs app, below billing, so no
        # circle
        register(rate_study.JOB_KIND, rate_study.study_batch)
