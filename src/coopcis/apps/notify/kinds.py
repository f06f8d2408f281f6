"""The kinds of notification, a registry other apps extend.

Each kind has a label and a sentence for the member's Notifications page, a default
channel, and templates ``notify/<template>/`` (``subject.txt``, ``body.txt``,
``body.html`` for email, ``sms.txt`` for a text message), written in English with the
translation tags, so the Spanish comes from the catalogue. An app that adds a kind
(capital credits, meeting notices) calls :func:`register` from its ``AppConfig.ready()``
and ships its templates.

A *required* kind is a notice the law has the co-op give (a disconnection notice,
17.5.410 NMAC): it goes on paper by mail in any case, so the electronic copy cannot be
turned off, only sent by email or by text.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from coopcis.core.errors import RuleViolation
from coopcis.core.notifications.channels import Channel


@dataclass(frozen=True)
class NotificationKind:
    """One kind of message: ``code`` is stored with preferences and messages."""

    code: str
    label: str | Promise
    help_text: str | Promise
    default: Channel = Channel.EMAIL
    required: bool = False
    template: str = field(default="")
    position: int = 100

    @property
    def template_folder(self) -> str:
        return f"notify/{self.template or self.code}"

    @property
    def choices(self) -> tuple[Channel, ...]:
        """What the member may choose for it."""
        if self.required:
            return (Channel.EMAIL, Channel.SMS)
        return (Channel.EMAIL, Channel.SMS, Channel.OFF)


_KINDS: dict[str, NotificationKind] = {}


def register(kind: NotificationKind) -> NotificationKind:
    """Add ``kind`` (registering the same one again is harmless; a different one under a
    code already taken is a programming error)."""
    existing = _KINDS.get(kind.code)
    if existing is not None and existing != kind:
        raise ValueError(f"notification kind {kind.code!r} is already registered")
    _KINDS[kind.code] = kind
    return kind


def get_kind(code: str) -> NotificationKind:
    try:
        return _KINDS[code]
    except KeyError:
        raise RuleViolation(f"no notification kind {code!r}", field="kind") from None


def all_kinds() -> list[NotificationKind]:
    """Every kind, in the order the member's page lists them."""
    return sorted(_KINDS.values(), key=lambda kind: (kind.position, kind.code))


BILL_READY = register(
    NotificationKind(
        "bill_ready",
        _("Bill ready"),
        _("Your new bill is ready to view, with the amount and the due date."),
        position=10,
    )
)
PAYMENT_RECEIVED = register(
    NotificationKind(
        "payment_received",
        _("Payment received"),
        _("We received your payment: the amount and your new balance."),
        position=20,
    )
)
DUE_SOON = register(
    NotificationKind(
        "due_soon",
        _("Bill due soon"),
        _("A reminder a few days before the due date, if the bill is not paid yet."),
        position=30,
    )
)
PAST_DUE = register(
    NotificationKind(
        "past_due",
        _("Past due"),
        _("Your bill was not paid by its due date."),
        position=40,
    )
)
HIGH_USAGE = register(
    NotificationKind(
        "high_usage",
        _("High usage"),
        _("Your daily use went over the limit you set."),
        position=50,
    )
)
OUTAGE = register(
    NotificationKind(
        "outage",
        _("Outages"),
        _("An outage affecting your service, and when power is back."),
        default=Channel.SMS,
        position=60,
    )
)
DISCONNECT_NOTICE = register(
    NotificationKind(
        "disconnect_notice",
        _("Disconnection notices"),
        _(
            "A copy of a notice that service may be disconnected. The notice itself always "
            "comes by mail, as the law requires, so this copy cannot be turned off."
        ),
        required=True,
        position=70,
    )
)
