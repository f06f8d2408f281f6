"""Making member sign-ins and linking accounts to them (the rules in docs/domain/portal.md)."""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coopcis.apps.members.models import Account
from coopcis.apps.portal.models import AccountLink, Invitation, LinkRole, MemberSignIn

logger = logging.getLogger("coopcis.portal")

HAS_HOLDER = _(
    "This account already has a portal sign-in. Ask its holder to invite you, "
    "or call the co-op's office."
)
EMAIL_TAKEN = _(
    "There is already a sign-in for this email. Sign in, then link this account "
    "from your home page."
)
EMAIL_UNUSABLE = _("This email cannot be used for a member sign-in.")


class SignUpRefused(Exception):
    def __init__(self, message: object) -> None:
        super().__init__(str(message))
        self.message = message


def member_for_email(email: str) -> Any:
    """The user whose sign-in name is ``email`` (member or not), or None."""
    return get_user_model()._default_manager.filter(username=email.lower()).first()


def has_verified_holder(account: Account, *, other_than: Any = None) -> bool:
    links = AccountLink.objects.filter(
        account=account,
        role=LinkRole.HOLDER,
        user__portal_member__email_verified_at__isnull=False,
    )
    if other_than is not None:
        links = links.exclude(user=other_than)
    return links.exists()


def _free_email(email: str) -> None:
    """Refuse an email in use; an unverified member sign-in under it is replaced (only
    the mailbox's owner can verify, so a stale or mistyped sign-up blocks no one)."""
    existing = member_for_email(email)
    if existing is None:
        return
    member = MemberSignIn.objects.filter(user=existing).first()
    if member is None:
        raise SignUpRefused(EMAIL_UNUSABLE)
    if member.verified:
        raise SignUpRefused(EMAIL_TAKEN)
    existing.delete()


def _new_member(email: str, password: str, *, verified: bool) -> Any:
    user = get_user_model()._default_manager.create_user(
        username=email, email=email, password=password
    )
    MemberSignIn.objects.create(user=user, email_verified_at=timezone.now() if verified else None)
    return user


@transaction.atomic
def sign_up(account: Account, email: str, password: str) -> Any:
    """A new, unverified member sign-in holding ``account`` (proven by the caller)."""
    if has_verified_holder(account):
        raise SignUpRefused(HAS_HOLDER)
    _free_email(email)
    user = _new_member(email, password, verified=False)
    # An earlier sign-up that proved this account but never verified its email gives way.
    AccountLink.objects.filter(
        account=account, role=LinkRole.HOLDER, user__portal_member__email_verified_at__isnull=True
    ).delete()
    AccountLink.objects.create(user=user, account=account, role=LinkRole.HOLDER)
    logger.info("portal: sign-up for account %s (sign-in %s)", account.number, user.pk)
    return user


def verify_email(user: Any) -> bool:
    """Mark the member's email verified; False if it already was."""
    updated = MemberSignIn.objects.filter(user=user, email_verified_at__isnull=True).update(
        email_verified_at=timezone.now()
    )
    return bool(updated)


@transaction.atomic
def link_as_holder(user: Any, account: Account) -> AccountLink:
    """Link another proven account to a signed-in member."""
    existing = AccountLink.objects.filter(user=user, account=account).first()
    if existing is not None:
        return existing
    if has_verified_holder(account, other_than=user):
        raise SignUpRefused(HAS_HOLDER)
    AccountLink.objects.filter(
        account=account, role=LinkRole.HOLDER, user__portal_member__email_verified_at__isnull=True
    ).delete()
    return AccountLink.objects.create(user=user, account=account, role=LinkRole.HOLDER)


def is_holder(user: Any, account: Account) -> bool:
    return AccountLink.objects.filter(user=user, account=account, role=LinkRole.HOLDER).exists()


def invite(account: Account, email: str, invited_by: Any) -> Invitation:
    return Invitation.objects.create(account=account, email=email, invited_by=invited_by)


@transaction.atomic
def accept_invitation(invitation: Invitation, user: Any) -> AccountLink:
    """Link the invitation's account to ``user`` (a member) and close the invitation."""
    locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if locked.accepted_at is not None:
        raise SignUpRefused(_("This invitation was already used."))
    link, _created = AccountLink.objects.get_or_create(
        user=user,
        account=locked.account,
        defaults={"role": LinkRole.INVITED, "invited_by": locked.invited_by},
    )
    locked.accepted_at = timezone.now()
    locked.accepted_by = user
    locked.save(update_fields=["accepted_at", "accepted_by"])
    logger.info("portal: invitation %s to %s accepted", locked.pk, locked.account.number)
    return link


@transaction.atomic
def sign_up_by_invitation(invitation: Invitation, email: str, password: str) -> Any:
    """A verified member sign-in for the invited address (the mailed link proves it)."""
    _free_email(email)
    user = _new_member(email, password, verified=True)
    accept_invitation(invitation, user)
    return user
