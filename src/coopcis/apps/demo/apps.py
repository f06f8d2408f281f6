from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "coopcis.apps.demo"
    label = "demo"
