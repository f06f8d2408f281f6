from django.apps import AppConfig


class NetMeteringConfig(AppConfig):
    name = "coopcis.apps.netmetering"
    label = "netmetering"
    verbose_name = "Net metering and renewable energy credits"
