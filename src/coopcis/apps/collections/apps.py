from django.apps import AppConfig


class CollectionsConfig(AppConfig):
    name = "coopcis.apps.collections"
    label = "collections"

    def ready(self) -> None:
        from coopcis.apps.collections.reactions import subscribe_all

        subscribe_all()

        from coopcis.apps.collections.distributed import KIND, collect_batch
        from coopcis.apps.jobs.handlers import register

        # the day's cases in batches on workers (collections run --workers)
        register(KIND, collect_batch)
