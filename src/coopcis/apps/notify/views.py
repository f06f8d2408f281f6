"""The inbound SMS webhook: the provider forwards what members text to the co-op's number.

Only a request signed as the provider signs (``X-Twilio-Signature``) is read; anything
else gets 403. STOP (and its synonyms) opts the number out of every text, START opts it
back in, HELP gets a short answer saying who we are and how to stop. Twilio itself
confirms STOP and START to the member, so those get an empty answer; the keyword is
stored either way and checked before every text (docs/domain/notifications.md).
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.utils import translation
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from coopcis.apps.notify.models import NotificationContact
from coopcis.apps.notify.services import recipient_language, record_sms_keyword
from coopcis.apps.notify.sms import sms_provider
from coopcis.catalog.profiles import active_profile
from coopcis.core.notifications.sms import Keyword, keyword
from coopcis.core.phones import e164


def _twiml(text: str = "") -> HttpResponse:
    body = f"<Message>{escape(text)}</Message>" if text else ""
    return HttpResponse(
        f'<?xml version="1.0" encoding="UTF-8"?><Response>{body}</Response>',
        content_type="text/xml; charset=utf-8",
    )


def _language_of(phone: str) -> str:
    contact = NotificationContact.objects.filter(mobile_phone=phone).select_related("party").first()
    return recipient_language(contact.party, None) if contact else "en"


@csrf_exempt
@require_POST
def inbound_sms(request: HttpRequest) -> HttpResponse:
    url = getattr(settings, "COOPCIS_SMS_WEBHOOK_URL", "") or request.build_absolute_uri()
    params = [(name, value) for name in request.POST for value in request.POST.getlist(name)]
    signature = request.headers.get("X-Twilio-Signature", "")
    if not sms_provider().is_signed(url, params, signature):
        return HttpResponseForbidden("not signed by the SMS provider")
    try:
        phone = e164(request.POST.get("From", ""))
    except ValueError:
        return _twiml()
    word = keyword(request.POST.get("Body", ""))
    if word is Keyword.STOP:
        record_sms_keyword(phone=phone, opted_out=True, keyword=request.POST["Body"].strip())
        return _twiml()
    if word is Keyword.START:
        record_sms_keyword(phone=phone, opted_out=False, keyword=request.POST["Body"].strip())
        return _twiml()
    if word is Keyword.HELP:
        profile = active_profile()
        phone_number = profile.offices[0].phone if profile.offices else profile.outage_phone
        with translation.override(_language_of(phone)):
            answer = gettext(
                "%(coop)s member notifications. Call %(phone)s or visit %(website)s. "
                "Reply STOP to end texts."
            ) % {"coop": profile.short_name, "phone": phone_number, "website": profile.website}
        return _twiml(answer)
    return _twiml()
