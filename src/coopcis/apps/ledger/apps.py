from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class LedgerConfig(AppConfig):
    name = "coopcis.apps.ledger"
    label = "ledger"

    def ready(self) -> None:
        post_migrate.connect(_load_chart, sender=self)


def _load_chart(**kwargs: Any) -> None:
    """Keep the chart table in step with ``catalog/chart/rus.toml`` after every migrate."""
    from coopcis.apps.ledger.models import LedgerAccount
    from coopcis.catalog.chart import load_chart

    for account in load_chart():
        LedgerAccount.objects.update_or_create(
            number=account.number,
            defaults={
                "name": account.name,
                "kind": account.kind.value,
                "member_subledger": account.member_subledger,
            },
        )
