from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "coopcis.apps.notify"
    label = "notify"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from coopcis.apps.notify import kinds  # noqa: F401  (registers the base kinds)
