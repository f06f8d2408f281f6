"""Which channel a notification goes by (docs/domain/notifications.md).

A member chooses, kind by kind, email, text message (SMS) or off. A kind the member never
chose goes by its default. A required kind (a notice the law has the co-op give, which
goes on paper by mail in any case) cannot be turned off: "off" there means the kind's
default. A channel needs its address: no email address, no email; no mobile number given
for texts, or a number that texted STOP, no SMS. A default that cannot be used falls back
to the other channel; a member's own choice is never swapped for another channel.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Channel(StrEnum):
    EMAIL = "EMAIL"
    SMS = "SMS"
    OFF = "OFF"


@dataclass(frozen=True, slots=True)
class Decision:
    """The channel to send by, or ``None`` with the reason nothing is sent."""

    channel: Channel | None
    reason: str = ""


def choose_channel(
    *,
    chosen: Channel | None,
    default: Channel,
    required: bool,
    has_email: bool,
    has_mobile: bool,
    sms_opted_out: bool,
) -> Decision:
    """The channel for one message of one kind to one member."""
    usable = {Channel.EMAIL: has_email, Channel.SMS: has_mobile and not sms_opted_out}
    if chosen is Channel.OFF and not required:
        return Decision(None, "the member turned this kind off")
    if chosen is not None and chosen is not Channel.OFF:
        if usable[chosen]:
            return Decision(chosen)
        return Decision(None, _missing(chosen, sms_opted_out))
    if default is Channel.OFF and not required:
        return Decision(None, "off unless the member turns it on")
    first = Channel.EMAIL if default is Channel.OFF else default
    for channel in (first, Channel.SMS if first is Channel.EMAIL else Channel.EMAIL):
        if usable[channel]:
            return Decision(channel)
    return Decision(None, "no email address and no mobile number for texts")


def _missing(channel: Channel, sms_opted_out: bool) -> str:
    if channel is Channel.EMAIL:
        return "the member chose email but has no email address"
    if sms_opted_out:
        return "the member's mobile number texted STOP"
    return "the member chose text messages but gave no mobile number"
