"""Getting in: sign-up by proving an account, email verification, sign-in (with the
optional authenticator-app code), sign-out, re-authentication, linking more accounts and
inviting a second person. Password reset is Django's own views with portal templates
(urls.py). The home page lists the linked accounts."""

from __future__ import annotations

import base64
import logging
import time
from typing import Any

import segno
from axes.handlers.proxy import AxesProxyHandler
from django.contrib import messages
from django.contrib.auth import authenticate, get_user_model, login, logout
from django.contrib.auth.signals import user_login_failed
from django.contrib.auth.views import PasswordResetConfirmView
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from coopcis.apps.portal import services
from coopcis.apps.portal.access import (
    get_linked_account_or_404,
    has_recent_auth,
    is_member,
    linked_accounts,
    member_required,
    needs_second_factor,
    note_recent_auth,
    recent_auth_required,
)
from coopcis.apps.portal.forms import (
    AccountProofForm,
    CodeForm,
    ConfirmForm,
    InvitationSignUpForm,
    InviteForm,
    MemberSetPasswordForm,
    ResendForm,
    SignInForm,
    SignUpForm,
)
from coopcis.apps.portal.linking import LinkRefused, client_address, prove_account
from coopcis.apps.portal.mail import send_portal_mail
from coopcis.apps.portal.models import AccountLink, Invitation, LinkRole, MemberSignIn
from coopcis.apps.portal.tokens import (
    INVITE_LIFETIME,
    VERIFY_LIFETIME,
    BadLink,
    invitation_token,
    read_invitation,
    read_verification,
    verification_token,
)

logger = logging.getLogger("coopcis.portal")

#: Session key: a sign-in that gave the right password and now owes its code.
PENDING = "portal_pending_sign_in"
#: How long the code step waits after the password.
PENDING_SECONDS = 300
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _next_url(request: HttpRequest) -> str:
    """Where to go after signing in: a portal page named by ``next``, else home."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    if safe and candidate.startswith("/portal/"):
        return candidate
    return reverse("portal:home")


def _absolute(request: HttpRequest, name: str, **kwargs: Any) -> str:
    return request.build_absolute_uri(reverse(name, kwargs=kwargs))


def _send_verification(request: HttpRequest, user: Any) -> None:
    token = verification_token(user.pk, user.email)
    send_portal_mail(
        user.email,
        "verify",
        {
            "link": _absolute(request, "portal:verify", token=token),
            "days": VERIFY_LIFETIME.days,
        },
    )


# --- Home -------------------------------------------------------------------------------


@member_required
def home(request: HttpRequest) -> HttpResponse:
    links = (
        AccountLink.objects.filter(user=request.user, account__in=linked_accounts(request.user))
        .select_related("account", "account__party")
        .order_by("account__number")
    )
    return render(request, "portal/home.html", {"links": links})


# --- Sign-up and verification -------------------------------------------------------------


def sign_up(request: HttpRequest) -> HttpResponse:
    if is_member(request.user):
        return redirect("portal:link_account")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            account = prove_account(
                data["account_number"], data["bill_amount"], client_address(request)
            )
            user = services.sign_up(account, data["email"], data["password1"])
        except (LinkRefused, services.SignUpRefused) as refusal:
            form.add_error(None, str(refusal.message))
        else:
            _send_verification(request, user)
            return render(request, "portal/sign_up_sent.html", {"email": user.email})
    return render(request, "portal/sign_up.html", {"form": form})


def verify(request: HttpRequest, token: str) -> HttpResponse:
    try:
        verification = read_verification(token)
    except BadLink as bad:
        return render(
            request,
            "portal/link_failed.html",
            {"expired": bad.expired, "resend": ResendForm()},
            status=400,
        )
    user = (
        get_user_model()
        ._default_manager.filter(pk=verification.user_id, email=verification.email)
        .first()
    )
    if user is None or not MemberSignIn.objects.filter(user=user).exists():
        return render(
            request,
            "portal/link_failed.html",
            {"expired": False, "resend": ResendForm()},
            status=400,
        )
    services.verify_email(user)
    return render(request, "portal/verified.html")


@require_POST
def resend_verification(request: HttpRequest) -> HttpResponse:
    form = ResendForm(request.POST)
    if form.is_valid():
        email = form.cleaned_data["email"]
        user = services.member_for_email(email)
        member = MemberSignIn.objects.filter(user=user).first() if user else None
        if member is not None and not member.verified:
            _send_verification(request, user)
        # The same answer whether or not the address has a sign-in.
        return render(request, "portal/sign_up_sent.html", {"email": email})
    return render(request, "portal/link_failed.html", {"expired": True, "resend": form}, status=400)


# --- Sign-in, code, sign-out, re-authentication ------------------------------------------------


def _confirmed_devices(user: Any) -> list[TOTPDevice]:
    return list(TOTPDevice.objects.filter(user=user, confirmed=True))


def _complete_sign_in(request: HttpRequest, user: Any, device: TOTPDevice | None) -> HttpResponse:
    destination = _next_url(request)
    login(request, user, backend=MODEL_BACKEND)
    if device is not None:
        otp_login(request, device)
    note_recent_auth(request)
    return redirect(destination)


def sign_in(request: HttpRequest) -> HttpResponse:
    if is_member(request.user) and not needs_second_factor(request):
        return redirect(_next_url(request))
    form = SignInForm(request.POST or None)
    unverified = False
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        user = authenticate(request, username=email, password=form.cleaned_data["password"])
        member = MemberSignIn.objects.filter(user=user).first() if user is not None else None
        if member is None:
            form.add_error(None, _("Wrong email or password."))
        elif not member.verified:
            unverified = True
            form.add_error(
                None,
                _("Confirm your email first: follow the link we sent you when you signed up."),
            )
        elif _confirmed_devices(user):
            request.session[PENDING] = {
                "user": user.pk,
                "email": email,
                "at": time.time(),
                "next": _next_url(request),
            }
            return redirect("portal:sign_in_code")
        else:
            return _complete_sign_in(request, user, None)
    context = {
        "form": form,
        "next": _next_url(request),
        "unverified": unverified,
        "resend": ResendForm(initial={"email": form.data.get("email", "")}),
    }
    return render(request, "portal/sign_in.html", context)


def _pending(request: HttpRequest) -> dict[str, Any] | None:
    pending = request.session.get(PENDING)
    if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        request.session.pop(PENDING, None)
        return None
    return pending


def sign_in_code(request: HttpRequest) -> HttpResponse:
    pending = _pending(request)
    if pending is None:
        return redirect("portal:sign_in")
    credentials = {"username": pending["email"]}
    if AxesProxyHandler.is_locked(request, credentials):
        request.session.pop(PENDING, None)
        return render(request, "portal/locked_out.html", status=429)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = get_user_model()._default_manager.filter(pk=pending["user"]).first()
        for device in _confirmed_devices(user) if user else []:
            if device.verify_token(form.cleaned_data["code"]):
                request.session.pop(PENDING, None)
                request.POST = request.POST.copy()
                request.POST["next"] = pending.get("next", "")
                return _complete_sign_in(request, user, device)
        # a wrong code counts as a failed sign-in toward the lockout
        user_login_failed.send(sender=__name__, credentials=credentials, request=request)
        form.add_error("code", _("That code is not right. Codes change every 30 seconds."))
    return render(request, "portal/sign_in_code.html", {"form": form})


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.info(request, _("You are signed out."))
    return redirect("portal:sign_in")


@member_required
def confirm(request: HttpRequest) -> HttpResponse:
    """Re-authentication before a sensitive change (``recent_auth_required``)."""
    user = request.user
    devices = _confirmed_devices(user)
    form = ConfirmForm(request.POST or None, with_code=bool(devices))
    credentials = {"username": user.get_username()}
    if request.method == "POST" and form.is_valid():
        if AxesProxyHandler.is_locked(request, credentials):
            logout(request)
            return render(request, "portal/locked_out.html", status=429)
        good = user.check_password(form.cleaned_data["password"])
        if good and devices:
            good = any(device.verify_token(form.cleaned_data["code"]) for device in devices)
        if good:
            note_recent_auth(request)
            return redirect(_next_url(request))
        user_login_failed.send(sender=__name__, credentials=credentials, request=request)
        form.add_error(None, _("That is not right. Try again."))
    return render(request, "portal/confirm.html", {"form": form, "next": _next_url(request)})


# --- More accounts, invitations ---------------------------------------------------------------


@member_required
def link_account(request: HttpRequest) -> HttpResponse:
    form = AccountProofForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            account = prove_account(
                data["account_number"], data["bill_amount"], client_address(request)
            )
            already = AccountLink.objects.filter(user=request.user, account=account).exists()
            services.link_as_holder(request.user, account)
        except (LinkRefused, services.SignUpRefused) as refusal:
            form.add_error(None, str(refusal.message))
        else:
            if already:
                messages.info(
                    request, _("Account %(number)s is already linked.") % {"number": account.number}
                )
            else:
                messages.success(
                    request, _("Account %(number)s is now linked.") % {"number": account.number}
                )
            return redirect("portal:home")
    return render(request, "portal/link_account.html", {"form": form})


@member_required
def invite(request: HttpRequest, number: str) -> HttpResponse:
    account = get_linked_account_or_404(request.user, number)
    if not services.is_holder(request.user, account):
        raise Http404
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        invitation = services.invite(account, email, request.user)
        token = invitation_token(invitation.pk, email)
        send_portal_mail(
            email,
            "invitation",
            {
                "link": _absolute(request, "portal:invitation", token=token),
                "days": INVITE_LIFETIME.days,
                "account": account,
                "inviter": request.user.email,
            },
        )
        messages.success(request, _("We sent an invitation to %(email)s.") % {"email": email})
        return redirect("portal:invite", number=account.number)
    others = (
        AccountLink.objects.filter(account=account, role=LinkRole.INVITED)
        .exclude(user=request.user)
        .select_related("user")
        .order_by("linked_at")
    )
    pending = Invitation.objects.filter(
        account=account,
        accepted_at__isnull=True,
        created_at__gte=timezone.now() - INVITE_LIFETIME,
    ).order_by("created_at")
    context = {"form": form, "account": account, "others": others, "pending": pending}
    return render(request, "portal/invite.html", context)


def _holder_account(request: HttpRequest, number: str) -> Any:
    account = get_linked_account_or_404(request.user, number)
    if not services.is_holder(request.user, account):
        raise Http404
    return account


@require_POST
@member_required
def remove_access(request: HttpRequest, number: str, link_id: int) -> HttpResponse:
    """The holder takes an invited person's access to the account away."""
    account = _holder_account(request, number)
    link = get_object_or_404(
        AccountLink.objects.select_related("user"),
        pk=link_id,
        account=account,
        role=LinkRole.INVITED,
    )
    email = link.user.email
    link.delete()
    logger.info("portal: holder removed sign-in %s from account %s", link.user_id, account.number)
    messages.success(
        request, _("%(email)s no longer has access to this account.") % {"email": email}
    )
    return redirect("portal:invite", number=account.number)


@require_POST
@member_required
def cancel_invitation(request: HttpRequest, number: str, invitation_id: int) -> HttpResponse:
    """The holder withdraws an invitation not yet accepted: its link stops working."""
    account = _holder_account(request, number)
    invitation = get_object_or_404(
        Invitation, pk=invitation_id, account=account, accepted_at__isnull=True
    )
    invitation.delete()
    messages.success(
        request, _("The invitation to %(email)s is withdrawn.") % {"email": invitation.email}
    )
    return redirect("portal:invite", number=account.number)


def invitation(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation_id, email = read_invitation(token)
    except BadLink as bad:
        return render(
            request, "portal/invitation_failed.html", {"expired": bad.expired}, status=400
        )
    found = (
        Invitation.objects.filter(pk=invitation_id, email=email, accepted_at__isnull=True)
        .select_related("account")
        .first()
    )
    if found is None:
        return render(request, "portal/invitation_failed.html", {"expired": False}, status=400)
    context: dict[str, Any] = {"invitation": found}
    if is_member(request.user) and not needs_second_factor(request):
        if request.method == "POST":
            services.accept_invitation(found, request.user)
            messages.success(
                request,
                _("Account %(number)s is now linked.") % {"number": found.account.number},
            )
            return redirect("portal:home")
        return render(request, "portal/invitation.html", context)
    if (
        services.member_for_email(email) is not None
        and MemberSignIn.objects.filter(
            user__username=email, email_verified_at__isnull=False
        ).exists()
    ):
        context["has_sign_in"] = True
        return render(request, "portal/invitation.html", context)
    form = InvitationSignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.sign_up_by_invitation(found, email, form.cleaned_data["password1"])
        except services.SignUpRefused as refusal:
            form.add_error(None, str(refusal.message))
        else:
            return _complete_sign_in(request, user, None)
    context["form"] = form
    return render(request, "portal/invitation.html", context)


# --- Two-factor sign-in -------------------------------------------------------------------------


def _qr_data_uri(url: str) -> str:
    return str(segno.make(url, error="m").svg_data_uri(scale=4, border=2))


def _base32(device: TOTPDevice) -> str:
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@member_required
def two_factor(request: HttpRequest) -> HttpResponse:
    enabled = bool(_confirmed_devices(request.user))
    return render(
        request,
        "portal/two_factor.html",
        {"enabled": enabled, "recent": has_recent_auth(request)},
    )


@recent_auth_required
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    if _confirmed_devices(request.user):
        return redirect("portal:two_factor")
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(
            user=request.user, name="Authenticator app", confirmed=False
        )
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            note_recent_auth(request)
            logger.info("portal: two-factor sign-in turned on (sign-in %s)", request.user.pk)
            messages.success(request, _("Two-step sign-in is on."))
            return redirect("portal:two_factor")
        form.add_error("code", _("That code is not right. Codes change every 30 seconds."))
    context = {
        "form": form,
        "secret": _base32(device),
        "qr": _qr_data_uri(device.config_url),
    }
    return render(request, "portal/two_factor_setup.html", context)


@require_POST
@recent_auth_required
def two_factor_disable(request: HttpRequest) -> HttpResponse:
    TOTPDevice.objects.filter(user=request.user).delete()
    logger.info("portal: two-factor sign-in turned off (sign-in %s)", request.user.pk)
    messages.success(request, _("Two-step sign-in is off."))
    return redirect("portal:two_factor")


# --- Password reset -------------------------------------------------------------------------------


class MemberPasswordResetConfirmView(PasswordResetConfirmView):
    """Django's reset, which also proves the member owns the address: it verifies it."""

    form_class = MemberSetPasswordForm
    template_name = "portal/password_reset_confirm.html"

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        services.verify_email(form.user)
        return response
