"""Notifications to members by email and text message, in their language.

Any app calls :func:`coopcis.apps.notify.services.notify` with an account (or party), a
kind (``bill_ready``, ``payment_received``, ...), the facts the message needs and an
idempotency key; the member's preferences pick the channel, templates in the member's
language make the words, the outbox records the message, and it is sent once the
caller's transaction commits, never twice for one key (docs/domain/notifications.md).
"""
