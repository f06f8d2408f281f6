"""The member portal's sign-ins and what links them to accounts.

A member's sign-in is a Django user (user name = the email address, lower-cased) with a
:class:`MemberSignIn` row; staff sign-ins never have one, so the two never mix: a member
sign-in holds no group or permission and reaches no staff page (``middleware.py``), and a
staff sign-in reaches no member page (``access.member_required``).

Which accounts a member sees is exactly their :class:`AccountLink` rows (``access.py``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class MemberSignIn(models.Model):
    """A member's portal sign-in. ``email_verified_at`` is set when its holder follows the
    link mailed at sign-up (or an invitation or password reset mailed to that address):
    until then the sign-in cannot be used."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="portal_member"
    )
    created_at = models.DateTimeField(default=timezone.now)
    email_verified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("member sign-in")

    def __str__(self) -> str:
        return f"Member sign-in {self.user.get_username()}"

    @property
    def verified(self) -> bool:
        return self.email_verified_at is not None


class LinkRole(models.TextChoices):
    HOLDER = "HOLDER", _("Account holder")
    INVITED = "INVITED", _("Invited by the holder")


class AccountLink(models.Model):
    """One account a sign-in may see and act on: linked by proving the latest bill's total
    (the holder) or by accepting the holder's invitation."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="portal_links"
    )
    account = models.ForeignKey(
        "members.Account", on_delete=models.CASCADE, related_name="portal_links"
    )
    role = models.CharField(max_length=8, choices=LinkRole.choices)
    linked_at = models.DateTimeField(default=timezone.now)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "account"], name="portal_link_once"),
        ]
        ordering = ["account__number"]

    def __str__(self) -> str:
        return f"{self.user.get_username()} -> {self.account.number} ({self.role})"


class Invitation(models.Model):
    """The holder's invitation of a second person to an account, by email. The mailed link
    carries a signed token naming this row; accepted once."""

    account = models.ForeignKey(
        "members.Account", on_delete=models.CASCADE, related_name="portal_invitations"
    )
    email = models.EmailField()
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    def __str__(self) -> str:
        return f"Invitation of {self.email} to {self.account.number}"


class LinkAttempt(models.Model):
    """One try at proving an account (sign-up or linking another account): the account
    number as typed and whether the bill total matched. Failed tries per account number
    and per address are counted to refuse guessing (``linking.py``)."""

    account_number = models.CharField(max_length=40, db_index=True)
    attempted_at = models.DateTimeField(default=timezone.now, db_index=True)
    succeeded = models.BooleanField(default=False)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    def __str__(self) -> str:
        outcome = "ok" if self.succeeded else "failed"
        return f"Link attempt on {self.account_number} at {self.attempted_at:%Y-%m-%d %H:%M} ({outcome})"
