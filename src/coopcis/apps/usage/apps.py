from django.apps import AppConfig


class UsageConfig(AppConfig):
    name = "coopcis.apps.usage"
    label = "usage"
    verbose_name = "Member usage and alerts"
