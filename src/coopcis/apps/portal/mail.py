"""Email from the portal: a subject and a plain-text body from templates, in the language
of the page that sent it, through Django's mail (SMTP in production: COOPCIS_EMAIL_URL)."""

from __future__ import annotations

from typing import Any

from django.core.mail import send_mail
from django.template.loader import render_to_string

from coopcis.catalog.profiles import active_profile


def send_portal_mail(to: str, template: str, context: dict[str, Any]) -> None:
    """Send ``portal/email/<template>_subject.txt`` and ``..._body.txt`` to ``to``."""
    context = {"co_op": active_profile(), **context}
    subject = render_to_string(f"portal/email/{template}_subject.txt", context)
    body = render_to_string(f"portal/email/{template}_body.txt", context)
    send_mail(" ".join(subject.split()), body, None, [to])
