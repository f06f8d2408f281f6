from django.apps import AppConfig


class CollectionsConfig(AppConfig):
    name = "coopcis.apps.collections"
    label = "collections"

    def ready(self) -> None:
        from coopcis.apps.collections.reactions import subscribe_all

        subscribe_all()
