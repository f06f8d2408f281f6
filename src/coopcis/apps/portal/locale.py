"""The language of a request: the member's own for the portal, English for the back office.

For ``/portal/`` (and the language switch at ``/i18n/``), in this order:

1. the language the member picked with the switch during this signed-in session;
2. the member's stored language: that of the accounts linked to their sign-in
   (``Account.language``, the language of their bills and letters; the account they
   hold first);
3. the switch's cookie (a visitor not signed in who picked a language);
4. the browser's ``Accept-Language``;
5. English.

Every other page (the back office, the APIs, the admin) is in English: staff work in
English whatever their browser says, and a Spanish browser must not get Django's own
messages in Spanish inside English pages.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.translation import get_supported_language_variant

from coopcis.apps.members.models import Account, Language
from coopcis.apps.portal.access import is_member

#: Paths whose language follows the member (the rest are in English).
MEMBER_PATHS = ("/portal/", "/i18n/")
#: Session key: the language picked with the switch while signed in.
CHOSEN_LANGUAGE = "portal_language"
_ACCOUNT_LANGUAGE = {Language.ENGLISH: "en", Language.SPANISH: "es"}


def stored_language(user: object) -> str | None:
    """``en``/``es`` from the accounts linked to a member's sign-in, held ones first."""
    if not is_member(user):
        return None
    stored = (
        Account.objects.filter(portal_links__user=user)
        .order_by("portal_links__role", "number")  # HOLDER sorts before INVITED
        .values_list("language", flat=True)
        .first()
    )
    return _ACCOUNT_LANGUAGE.get(stored) if stored else None  # type: ignore[call-overload]


def member_language(request: HttpRequest) -> str:
    session = getattr(request, "session", None)
    chosen = session.get(CHOSEN_LANGUAGE) if session is not None else None
    if chosen and is_member(request.user):
        return str(chosen)
    stored = stored_language(request.user)
    if stored:
        return stored
    return translation.get_language_from_request(request)


class MemberLocaleMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware, choosing as the module says (after authentication)."""

    def process_request(self, request: HttpRequest) -> None:
        if request.path.startswith(MEMBER_PATHS):
            language = member_language(request)
        else:
            language = settings.LANGUAGE_CODE
        translation.activate(get_supported_language_variant(language))
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if (
            request.path.startswith("/i18n/setlang")
            and request.method == "POST"
            and is_member(request.user)
        ):
            picked = request.POST.get("language", "")
            if picked in dict(settings.LANGUAGES):
                request.session[CHOSEN_LANGUAGE] = picked
        if request.path.startswith(MEMBER_PATHS):
            return super().process_response(request, response)
        return response
