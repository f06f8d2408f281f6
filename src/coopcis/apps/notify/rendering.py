"""A notification's words, from its kind's templates, in the member's language."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation

from coopcis.apps.notify.kinds import NotificationKind
from coopcis.core.notifications.channels import Channel

#: A text message longer than this is cut (with "…"): two or three SMS segments.
SMS_MAX_CHARACTERS = 320


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str
    html_body: str = ""


def render_message(
    kind: NotificationKind, channel: Channel, context: dict[str, Any], *, language: str
) -> Rendered:
    """The message for ``channel``: subject, text and HTML for email; one short text for SMS."""
    folder = kind.template_folder
    with translation.override(language):
        if channel is Channel.SMS:
            body = " ".join(render_to_string(f"{folder}/sms.txt", context).split())
            if len(body) > SMS_MAX_CHARACTERS:
                body = body[: SMS_MAX_CHARACTERS - 1].rstrip() + "…"
            return Rendered(subject="", body=body)
        subject = " ".join(render_to_string(f"{folder}/subject.txt", context).split())
        text = _tidy(render_to_string(f"{folder}/body.txt", context))
        html = render_to_string(f"{folder}/body.html", context)
    return Rendered(subject=subject, body=text, html_body=html)


_BLANK_LINES = re.compile(r"\n{3,}")


def _tidy(text: str) -> str:
    """Lines without trailing spaces, at most one blank line between paragraphs (the
    template's conditions leave empty lines behind)."""
    lines = "\n".join(line.rstrip() for line in text.strip().splitlines())
    return _BLANK_LINES.sub("\n\n", lines) + "\n"
