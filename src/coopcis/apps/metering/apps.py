from django.apps import AppConfig


class MeteringConfig(AppConfig):
    name = "coopcis.apps.metering"
    label = "metering"
