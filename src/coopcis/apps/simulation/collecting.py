"""Steps of collections: the daily job, the field's orders, holds and disputes."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

from coopcis.apps.collections.models import (
    CoopHold,
    Dispute,
    DisputeStatus,
    OrderStatus,
    ServiceOrder,
)
from coopcis.apps.collections.orders import complete_order
from coopcis.apps.collections.run import run_collections
from coopcis.apps.collections.services import (
    open_dispute,
    place_hold,
    release_hold,
    resolve_dispute,
)
from coopcis.apps.members.models import Account
from coopcis.apps.simulation.model import Member


class CollectionSteps:
    """The collection steps of :class:`coopcis.apps.simulation.world.World`."""

    chooser: random.Random
    today: date
    members: list[Member]

    def plan_collections(self) -> Callable[[], str] | None:
        def act() -> str:
            report = run_collections(as_of=self.today)
            counts = {k: len(v) for k, v in report.as_json()["accounts"].items() if v}
            return f"collections {self.today}: {counts}"

        return act

    def plan_field_order(self) -> Callable[[], str] | None:
        order = (
            ServiceOrder.objects.filter(status=OrderStatus.OPEN, scheduled_on__lte=self.today)
            .order_by("id")
            .first()
        )
        if order is None:
            return None

        def act() -> str:
            done = complete_order(ServiceOrder.objects.get(pk=order.pk), on=self.today)
            return f"{done.kind.lower()} order for {done.account.number}: {done.status.lower()}"

        return act

    def plan_protection(self) -> Callable[[], str] | None:
        choice = self.chooser.random()
        accounts = [m for m in self.members if m.habit != "prompt"]
        if not accounts:
            return None
        member = self.chooser.choice(accounts)
        account = Account.objects.get(pk=member.account_id)
        if choice < 0.35:
            until = self.today + timedelta(days=self.chooser.randint(3, 40))
            return lambda: (
                f"hold on {place_hold(account=account, reason='simulated review', on=self.today, until=until).account.number} until {until}"
            )
        if choice < 0.55:
            hold = (
                CoopHold.objects.filter(
                    account=account, released_on__isnull=True, placed_on__lte=self.today
                )
                .order_by("id")
                .first()
            )
            if hold is None:
                return None
            return lambda: f"hold on {release_hold(hold, on=self.today).account.number} released"
        if choice < 0.8:
            amount = Decimal(self.chooser.randint(5, 80))
            return lambda: (
                f"dispute of ${open_dispute(account=account, amount=amount, opened_on=self.today, description='simulated dispute').amount} by {account.number}"
            )
        dispute = (
            Dispute.objects.filter(
                account=account, status=DisputeStatus.INVESTIGATING, opened_on__lte=self.today
            )
            .order_by("id")
            .first()
        )
        if dispute is None:
            return None
        return lambda: (
            f"dispute by {resolve_dispute(dispute, on=self.today, resolution='explained').account.number} resolved"
        )
