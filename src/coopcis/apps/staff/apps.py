from django.apps import AppConfig
from django.db.models.signals import post_migrate


class StaffConfig(AppConfig):
    name = "coopcis.apps.staff"
    label = "staff"

    def ready(self) -> None:
        from coopcis.apps.staff import middleware  # noqa: F401  (its sign-in receiver)
        from coopcis.apps.staff.roles import ensure_roles

        post_migrate.connect(ensure_roles, sender=self)
