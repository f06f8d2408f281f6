from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "coopcis.apps.governance"
    label = "governance"
    verbose_name = "Meetings, elections, board and ethics"
