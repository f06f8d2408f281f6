from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "coopcis.apps.governance"
    label = "governance"
    verbose_name = "Meetings, elections, board and ethics"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from coopcis.apps.notify.kinds import NotificationKind, register

        # The members' meeting notice (bylaws art. III sec. 3): the letter is the notice the
        # bylaws require; this is its electronic copy, so the member may turn it off.
        register(
            NotificationKind(
                "meeting_notice",
                _("Members' meetings"),
                _("The notice of the annual meeting and of special meetings of the members."),
                position=70,
            )
        )
