from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "coopcis.apps.members"
    label = "members"
