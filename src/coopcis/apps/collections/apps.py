from django.apps import AppConfig


class CollectionsConfig(AppConfig):
    name = "coopcis.apps.collections"
    label = "collections"
