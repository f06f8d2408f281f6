"""Staff roles are Django groups (see ``roles.py``); this app keeps one small table."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class PasswordChangeRequired(models.Model):
    """A sign-in whose password was made by someone else (a one-time password printed by
    ``coopcis staff add`` or a manager's reset): its holder must choose a new one before
    any other page. The row goes when they do."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    since = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.user} must change the one-time password"
