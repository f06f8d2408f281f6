"""Bill reminders: "due soon" before the due date and "past due" after it (issue 12,
"Notification preferences": the kinds ``due_soon`` and ``past_due``).

``send_reminders(as_of=D)`` is the daily job (``coopcis notify reminders --as-of D``). For
each account linked to a member's portal sign-in (the members who have notification
preferences, as for the bill-ready message) with a posted bill whose charge is still open:

- **due soon**: the bill is due within the next ``[collections] due_soon_days`` days (3 unless
  the profile says otherwise), today included, and the account is not on autopay (the
  draft pays it). The amount is what the account owes by that due date: its open charges
  due on or before it, deposits aside (``collections.services.past_due_amount``);
- **past due**: the due date has passed, at most ``[collections] past_due_within_days`` days
  ago (7: a job that missed days catches up, but a first run does not tell members about
  bills long past), and the account still owes at least the collections profile's
  ``minimum_past_due``. The amount is everything past due on the day.

An account with several bills due the same day gets one message. Each message goes by the
member's choice for its kind (email, text or off), in the account's language, through
``notify`` keyed ``due_soon:<account>:<due date>`` / ``past_due:<account>:<due date>``: a
second run, or the same day run twice, sends nothing more. A dry run records and sends
nothing (the messages are dropped with its rolled-back transaction).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction

from coopcis.apps.billing.models import Bill, BillStatus
from coopcis.apps.collections.services import past_due_amount
from coopcis.apps.collections.services import setting as collections_setting
from coopcis.apps.members.models import Account
from coopcis.apps.notify.models import MessageStatus, OutboxMessage
from coopcis.apps.notify.services import notify
from coopcis.apps.receivables.models import ItemStatus
from coopcis.catalog.profiles import active_profile
from coopcis.core.money import Money

DUE_SOON, PAST_DUE = "due_soon", "past_due"


def due_soon_days() -> int:
    return int(collections_setting("due_soon_days", 3))  # type: ignore[call-overload]


def past_due_within_days() -> int:
    return int(collections_setting("past_due_within_days", 7))  # type: ignore[call-overload]


@dataclass
class Reminder:
    """One message the run sent (or would send), or found already sent."""

    kind: str
    account: str
    due_date: date
    amount: Decimal
    channel: str
    status: str

    def as_dict(self) -> dict[str, str]:
        return {
            "kind": self.kind,
            "account": self.account,
            "due_date": self.due_date.isoformat(),
            "amount": f"{self.amount:.2f}",
            "channel": self.channel,
            "status": self.status,
        }


@dataclass
class ReminderRun:
    as_of: date
    sent: list[Reminder] = field(default_factory=list)
    not_sent: list[Reminder] = field(default_factory=list)
    already: int = 0
    paid: int = 0

    def count(self, kind: str) -> int:
        return sum(1 for reminder in self.sent if reminder.kind == kind)

    def as_dict(self) -> dict[str, object]:
        return {
            "as_of": self.as_of.isoformat(),
            "due_soon": self.count(DUE_SOON),
            "past_due": self.count(PAST_DUE),
            "already_sent": self.already,
            "paid_meanwhile": self.paid,
            "sent": [reminder.as_dict() for reminder in self.sent],
            "not_sent": [reminder.as_dict() for reminder in self.not_sent],
        }


def _candidates(as_of: date) -> list[tuple[str, int, date]]:
    """(kind, account id, due date) for each account and due date a reminder may be for."""
    bills = Bill.objects.filter(
        status=BillStatus.POSTED,
        receivable__status=ItemStatus.OPEN,
        account__portal_links__isnull=False,
    )
    soon = bills.filter(
        due_date__gte=as_of,
        due_date__lte=as_of + timedelta(days=due_soon_days()),
        account__autopay=False,
    )
    late = bills.filter(
        due_date__lt=as_of, due_date__gte=as_of - timedelta(days=past_due_within_days())
    )
    found: set[tuple[str, int, date]] = set()
    for kind, rows in ((DUE_SOON, soon), (PAST_DUE, late)):
        for account_id, due_date in rows.values_list("account_id", "due_date").distinct():
            found.add((kind, account_id, due_date))
    return sorted(found, key=lambda row: (row[0], row[2], row[1]))


def send_reminders(*, as_of: date) -> ReminderRun:
    """The day's due-soon and past-due messages (see the module)."""
    run = ReminderRun(as_of)
    minimum = Money.of(str(collections_setting("minimum_past_due", "0.01")))
    portal = active_profile().portal_url.rstrip("/")
    accounts = {}
    for kind, account_id, due_date in _candidates(as_of):
        key = f"{kind}:{account_id}:{due_date.isoformat()}"
        if OutboxMessage.objects.filter(idempotency_key=key).exists():
            run.already += 1
            continue
        account = accounts.get(account_id) or Account.objects.select_related("party").get(
            pk=account_id
        )
        accounts[account_id] = account
        owed_by = due_date + timedelta(days=1) if kind == DUE_SOON else as_of
        owed = past_due_amount(account, as_of=owed_by)
        if owed < minimum:
            run.paid += 1
            continue
        with transaction.atomic():
            message = notify(
                account,
                kind,
                {
                    "amount_due": owed.amount,
                    "due_date": due_date,
                    "url": f"{portal}/accounts/{account.number}/" if portal else "",
                },
                idempotency_key=key,
            )
        reminder = Reminder(
            kind, account.number, due_date, owed.amount, message.channel, message.status
        )
        (run.not_sent if message.status == MessageStatus.SKIPPED else run.sent).append(reminder)
    return run
