from django.apps import AppConfig
from django.db.models.signals import post_migrate


class StaffConfig(AppConfig):
    name = "coopcis.apps.staff"
    label = "staff"

    def ready(self) -> None:
        from coopcis.apps.staff import middleware  # noqa: F401  (its sign-in receiver)
        from coopcis.apps.staff.roles import ensure_roles
        from coopcis.site import middleware as site_middleware  # noqa: F401  (idle sessions)

        post_migrate.connect(ensure_roles, sender=self)
