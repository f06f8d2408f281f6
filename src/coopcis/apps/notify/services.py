"""Send a member a notification, and keep their preferences.

:func:`notify` is the one call other apps make (docs/domain/notifications.md)::

    notify(account, "bill_ready", {"bill": bill}, idempotency_key=f"bill_ready:{bill.pk}")

It decides the channel from the member's preference for the kind, renders the message
in the member's language, records it in the outbox and sends it once the caller's
transaction commits (never if it rolls back). The same key again returns the recorded
message and sends nothing: a retried job, a double-clicked button or a re-delivered
event never sends twice.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import make_msgid
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from coopcis.apps.members.models import Account, Language, Party, PartyKind
from coopcis.apps.notify.kinds import NotificationKind, all_kinds, get_kind
from coopcis.apps.notify.models import (
    MessageStatus,
    NotificationContact,
    NotificationPreference,
    OutboxMessage,
    SmsOptOut,
)
from coopcis.apps.notify.rendering import render_message
from coopcis.apps.notify.sms import SmsError, sms_provider
from coopcis.catalog.profiles import active_profile
from coopcis.core.errors import RuleViolation
from coopcis.core.notifications.channels import Channel, Decision, choose_channel
from coopcis.core.phones import e164

log = logging.getLogger(__name__)

#: Account.language (EN/ES) -> the language code Django's translation uses.
DJANGO_LANGUAGE = {Language.ENGLISH: "en", Language.SPANISH: "es"}


def recipient_language(party: Party, account: Account | None) -> str:
    """``en`` or ``es``: the account's language, else the member's (their first account's)."""
    if account is None:
        stored = getattr(party, "language", "") or (
            party.accounts.order_by("pk").values_list("language", flat=True).first() or ""
        )
    else:
        stored = account.language
    return DJANGO_LANGUAGE.get(stored, "en")  # type: ignore[call-overload]


def greeting_name(party: Party) -> str:
    """``Maria Baca`` for a person (the display name is ``Baca, Maria``); a firm's name."""
    if party.kind == PartyKind.PERSON and party.first_name:
        return f"{party.first_name} {party.last_name}".strip()
    return party.display_name


# --- preferences and contact ----------------------------------------------------------------


def preferences(party: Party) -> dict[str, Channel]:
    """The member's channel for every kind: their choice, else the kind's default."""
    chosen = dict(NotificationPreference.objects.filter(party=party).values_list("kind", "channel"))
    return {kind.code: Channel(chosen.get(kind.code, kind.default)) for kind in all_kinds()}


def set_preference(*, party: Party, kind: str, channel: str) -> NotificationPreference:
    """The member chooses ``channel`` (EMAIL, SMS or OFF) for ``kind``; audited."""
    definition = get_kind(kind)
    try:
        wanted = Channel(channel)
    except ValueError:
        raise RuleViolation(f"no channel {channel!r}", field="channel") from None
    if wanted not in definition.choices:
        raise RuleViolation(
            f"{definition.code} cannot be turned off: the notice also comes by mail",
            field="channel",
        )
    preference, created = NotificationPreference.objects.get_or_create(
        party=party, kind=definition.code, defaults={"channel": wanted.value}
    )
    if not created and preference.channel != wanted.value:
        preference.channel = wanted.value
        preference.save()
    return preference


def contact_for(party: Party) -> NotificationContact:
    """The member's notification addresses (an unsaved blank one if never given)."""
    try:
        return party.notify_contact
    except NotificationContact.DoesNotExist:
        return NotificationContact(party=party)


def set_contact(*, party: Party, email: str, mobile_phone: str) -> NotificationContact:
    """Where notifications go; the mobile number is checked and stored in E.164."""
    mobile = ""
    if mobile_phone.strip():
        try:
            mobile = e164(mobile_phone)
        except ValueError as error:
            raise RuleViolation(str(error), field="mobile_phone") from None
    contact = contact_for(party)
    contact.email = email.strip()
    contact.mobile_phone = mobile
    contact.save()
    return contact


def email_address(party: Party, account: Account | None) -> str:
    contact = contact_for(party)
    return contact.email or (account.email if account else "") or party.email


def is_opted_out(phone: str) -> bool:
    return SmsOptOut.objects.filter(phone=phone, opted_out=True).exists()


def record_sms_keyword(*, phone: str, opted_out: bool, keyword: str) -> SmsOptOut:
    """A number texted STOP (``opted_out``) or START: kept, and honoured before every text."""
    row, _ = SmsOptOut.objects.update_or_create(
        phone=phone,
        defaults={"opted_out": opted_out, "keyword": keyword[:20], "changed_at": timezone.now()},
    )
    return row


# --- sending ----------------------------------------------------------------------------------


def _target(target: Account | Party) -> tuple[Party, Account | None]:
    if isinstance(target, Account):
        return target.party, target
    if isinstance(target, Party):
        return target, None
    raise TypeError(f"notify() takes an Account or a Party, not {type(target).__name__}")


def _decide(kind: NotificationKind, party: Party, account: Account | None) -> tuple[Decision, str]:
    chosen = (
        NotificationPreference.objects.filter(party=party, kind=kind.code)
        .values_list("channel", flat=True)
        .first()
    )
    email = email_address(party, account)
    mobile = contact_for(party).mobile_phone
    decision = choose_channel(
        chosen=Channel(chosen) if chosen else None,
        default=kind.default,
        required=kind.required,
        has_email=bool(email),
        has_mobile=bool(mobile),
        sms_opted_out=bool(mobile) and is_opted_out(mobile),
    )
    address = {Channel.EMAIL: email, Channel.SMS: mobile}.get(decision.channel, "")  # type: ignore[arg-type]
    return decision, address


def notify(
    target: Account | Party,
    kind: str,
    context: dict[str, Any] | None = None,
    *,
    idempotency_key: str,
) -> OutboxMessage:
    """Tell the member of ``target`` about ``kind``; the outbox row (see the module)."""
    if not idempotency_key or len(idempotency_key) > 200:
        raise RuleViolation("give an idempotency key of 1 to 200 characters", field="key")
    existing = OutboxMessage.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing
    definition = get_kind(kind)
    party, account = _target(target)
    decision, address = _decide(definition, party, account)
    language = recipient_language(party, account)
    fields: dict[str, Any] = {
        "kind": definition.code,
        "party": party,
        "account": account,
        "language": language,
        "channel": (decision.channel or Channel.OFF).value,
        "recipient": address,
    }
    if decision.channel is None:
        fields.update(status=MessageStatus.SKIPPED, error=decision.reason)
    else:
        profile = active_profile()
        words = {
            "url": "",
            **(context or {}),
            "party": party,
            "account": account,
            "greeting_name": greeting_name(party),
            "profile": profile,
            "office_phone": profile.offices[0].phone if profile.offices else "",
            "kind": definition,
        }
        rendered = render_message(definition, decision.channel, words, language=language)
        fields.update(
            status=MessageStatus.QUEUED,
            subject=rendered.subject[:300],
            body=rendered.body,
            html_body=rendered.html_body,
        )
    return _record(idempotency_key, fields)


def _record(idempotency_key: str, fields: dict[str, Any]) -> OutboxMessage:
    """Keep the message in the outbox and send it once the caller's transaction commits."""
    try:
        with transaction.atomic():
            message = OutboxMessage.objects.create(idempotency_key=idempotency_key, **fields)
    except IntegrityError:  # the same key, recorded meanwhile by another process
        return OutboxMessage.objects.get(idempotency_key=idempotency_key)
    if message.status == MessageStatus.QUEUED:
        transaction.on_commit(partial(_deliver_after_commit, message.pk))
    return message


#: The copy of a disconnection notice emailed to the third party the member named
#: (17.5.410 NMAC): not a member's kind, so not among anyone's preferences.
THIRD_PARTY_NOTICE = NotificationKind(
    "third_party_notice",
    "Copy of a disconnection notice to a third party",
    "",
    required=True,
)


def notify_third_party(
    *,
    account: Account,
    name: str,
    email: str,
    context: dict[str, Any],
    idempotency_key: str,
) -> OutboxMessage:
    """Email ``name`` at ``email``, someone the member named (not a member), a copy of a
    notice about ``account``, in the account's language; once per key, after commit."""
    if not idempotency_key or len(idempotency_key) > 200:
        raise RuleViolation("give an idempotency key of 1 to 200 characters", field="key")
    existing = OutboxMessage.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing
    language = recipient_language(account.party, account)
    profile = active_profile()
    words = {
        "url": "",
        **context,
        "account": account,
        "member_name": greeting_name(account.party),
        "greeting_name": name,
        "profile": profile,
        "office_phone": profile.offices[0].phone if profile.offices else "",
        "kind": THIRD_PARTY_NOTICE,
    }
    rendered = render_message(THIRD_PARTY_NOTICE, Channel.EMAIL, words, language=language)
    fields: dict[str, Any] = {
        "kind": THIRD_PARTY_NOTICE.code,
        "party": None,
        "account": account,
        "language": language,
        "channel": Channel.EMAIL.value,
        "recipient": email,
        "status": MessageStatus.QUEUED,
        "subject": rendered.subject[:300],
        "body": rendered.body,
        "html_body": rendered.html_body,
    }
    return _record(idempotency_key, fields)


def _deliver_after_commit(message_id: int) -> None:
    try:
        deliver(message_id)
    except Exception:  # the caller's change stands; the message stays to be retried
        log.exception("notification %s could not be delivered", message_id)


def deliver(message_id: int) -> OutboxMessage:
    """Send one queued message, once: only the caller that moves it from QUEUED to SENDING
    sends it, so two workers (or a retry racing the first try) cannot both send."""
    claimed = OutboxMessage.objects.filter(pk=message_id, status=MessageStatus.QUEUED).update(
        status=MessageStatus.SENDING, attempts=F("attempts") + 1
    )
    message = OutboxMessage.objects.get(pk=message_id)
    if not claimed:
        return message
    outcome: dict[str, Any]
    try:
        if message.channel == Channel.EMAIL:
            outcome = {"provider": "smtp", "provider_id": _send_email(message)}
        elif is_opted_out(message.recipient):
            outcome = {"status": MessageStatus.SKIPPED, "error": "the number texted STOP"}
        else:
            provider = sms_provider()
            outcome = {
                "provider": provider.name,
                "provider_id": provider.send(to=message.recipient, body=message.body),
            }
    except SmsError as error:
        if error.opted_out:
            record_sms_keyword(phone=message.recipient, opted_out=True, keyword="PROVIDER")
        outcome = {"status": MessageStatus.FAILED, "error": str(error)[:500]}
    except Exception as error:  # SMTP refusals, network errors: recorded, retried later
        outcome = {"status": MessageStatus.FAILED, "error": f"{type(error).__name__}: {error}"}
    outcome.setdefault("status", MessageStatus.SENT)
    if outcome["status"] == MessageStatus.SENT:
        outcome["sent_at"] = timezone.now()
    outcome["error"] = str(outcome.get("error", ""))[:500]
    OutboxMessage.objects.filter(pk=message_id).update(**outcome)
    message.refresh_from_db()
    return message


def _send_email(message: OutboxMessage) -> str:
    domain = (getattr(settings, "DEFAULT_FROM_EMAIL", "") or "coopcis").rpartition("@")[2]
    message_id = make_msgid(domain=domain or None)
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.recipient],
        headers={"Message-ID": message_id, "Content-Language": message.language},
    )
    if message.html_body:
        email.attach_alternative(message.html_body, "text/html")
    email.send(fail_silently=False)
    return message_id


def retry_failed(*, limit: int = 500) -> list[OutboxMessage]:
    """Send again the messages that failed (and the queued ones a stopped process left)."""
    ids = list(
        OutboxMessage.objects.filter(status__in=[MessageStatus.FAILED, MessageStatus.QUEUED])
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    OutboxMessage.objects.filter(pk__in=ids, status=MessageStatus.FAILED).update(
        status=MessageStatus.QUEUED
    )
    return [deliver(pk) for pk in ids]
