from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "coopcis.apps.audit"
    label = "audit"
