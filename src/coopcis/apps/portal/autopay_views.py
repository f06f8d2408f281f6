"""Autopay and paperless billing, and payment arrangement requests.

Autopay is a bank draft on the 3rd or the 25th (the mandate and prenote the office's
enrolment makes: ``payments.ach.enrolment``) or a recurring card charged on the due date
(``payments.autopay``); enrolling one ends the other; both stop with one button. Pages
that change bank or card details ask for the password again first
(``recent_auth_required``). Every change is in the audit trail, its actor the member's
sign-in (the audit middleware names the signed-in user).
"""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coopcis.apps.collections.arrangements import (
    max_months,
    owed_now,
    request_arrangement,
    waiting_request,
)
from coopcis.apps.collections.models import ArrangementRequest
from coopcis.apps.members.models import Account, BankDraftMandate
from coopcis.apps.payments.ach.enrolment import end_bank_draft, enroll_bank_draft
from coopcis.apps.payments.ach.models import Prenote
from coopcis.apps.payments.autopay import active_card, enroll_recurring_card, stop_recurring_card
from coopcis.apps.payments.gateway import CardRefused, configured_gateway
from coopcis.apps.portal.access import (
    get_linked_account_or_404,
    member_required,
    recent_auth_required,
)
from coopcis.apps.portal.bill_forms import (
    ArrangementForm,
    BankDraftForm,
    PaperlessForm,
    RecurringCardForm,
)
from coopcis.apps.portal.bill_views import account_money, posted_bills
from coopcis.apps.portal.pay_views import tokenizer
from coopcis.core.errors import RuleViolation


def _autopay_page(
    request: HttpRequest,
    account: Account,
    draft_form: BankDraftForm | None = None,
    card_form: RecurringCardForm | None = None,
) -> HttpResponse:
    mandate = BankDraftMandate.objects.filter(account=account, active=True).first()
    prenote = Prenote.objects.filter(mandate=mandate).order_by("-id").first() if mandate else None
    card_form = card_form or RecurringCardForm()
    card_form.today = timezone.localdate()
    context = {
        "account": account,
        "mandate": mandate,
        "prenote": prenote,
        "card": active_card(account),
        "draft_form": draft_form or BankDraftForm(),
        "card_form": card_form,
        "paperless_form": PaperlessForm(initial={"paperless": account.paperless}),
    }
    return render(request, "portal/bills/autopay.html", context)


@member_required
def autopay(request: HttpRequest, number: str) -> HttpResponse:
    """Autopay as it stands, the forms to change it, and paperless billing."""
    return _autopay_page(request, get_linked_account_or_404(request.user, number))


@require_POST
@recent_auth_required
def autopay_bank_draft(request: HttpRequest, number: str) -> HttpResponse:
    account = get_linked_account_or_404(request.user, number)
    form = BankDraftForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                stop_recurring_card(
                    account=account, on=timezone.localdate(), reason="autopay moved to bank draft"
                )
                enroll_bank_draft(
                    account=account,
                    routing_number=data["routing_number"],
                    account_number=data["bank_account_number"],
                    account_type=data["bank_account_type"],
                    holder_name=data["holder_name"],
                    draft_day=data["draft_day"],
                    signed_on=timezone.localdate(),
                )
        except RuleViolation as violation:
            form.add_error(
                violation.field if violation.field in form.fields else None, violation.message
            )
        else:
            messages.success(
                request,
                _("Bank draft set up. Your bank is sent a test entry first; drafts start "
                  "once it clears."),
            )  # fmt: skip
            return redirect("portal:autopay", number=account.number)
    return _autopay_page(request, account, draft_form=form)


@require_POST
@recent_auth_required
def autopay_card(request: HttpRequest, number: str) -> HttpResponse:
    account = get_linked_account_or_404(request.user, number)
    form = RecurringCardForm(request.POST)
    form.today = timezone.localdate()
    if form.is_valid():
        data = form.cleaned_data
        month, year = data["expiry"]
        try:
            card = tokenizer().tokenize_card(
                number=data["card_number"], expiry_month=month, expiry_year=year,
                cvc=data["cvc"], name=data["card_name"],
            )  # fmt: skip
            enroll_recurring_card(
                account=account,
                card=card,
                holder_name=data["card_name"],
                gateway_name=configured_gateway().name,
                on=timezone.localdate(),
            )
        except (CardRefused, RuleViolation) as refused:
            form.add_error(refused.field if refused.field in form.fields else None, refused.message)
        else:
            messages.success(
                request,
                _("Autopay by card set up: the card ending %(last4)s pays each bill on its "
                  "due date.") % {"last4": card.last4},
            )  # fmt: skip
            return redirect("portal:autopay", number=account.number)
    return _autopay_page(request, account, card_form=form)


@require_POST
@member_required
def autopay_stop(request: HttpRequest, number: str) -> HttpResponse:
    """Stop autopay, whichever way it pays (no bank details change: no new password)."""
    account = get_linked_account_or_404(request.user, number)
    today, reason = timezone.localdate(), "stopped by the member in the portal"
    with transaction.atomic():
        stopped = stop_recurring_card(account=account, on=today, reason=reason)
        mandate = BankDraftMandate.objects.filter(account=account, active=True).first()
        if mandate is not None:
            stopped = end_bank_draft(
                mandate=mandate, on=today, reason=reason,
                source_key=f"portal-stop:{account.pk}:{mandate.pk}:{today.isoformat()}",
            ) or stopped  # fmt: skip
    if stopped:
        messages.success(request, _("Autopay stopped. Please pay your bills another way."))
    return redirect("portal:autopay", number=account.number)


@require_POST
@member_required
def paperless(request: HttpRequest, number: str) -> HttpResponse:
    account = get_linked_account_or_404(request.user, number)
    form = PaperlessForm(request.POST)
    if form.is_valid() and form.cleaned_data["paperless"] != account.paperless:
        account.paperless = form.cleaned_data["paperless"]
        reason = "paperless billing " + ("chosen" if account.paperless else "stopped")
        account.with_reason(f"{reason} in the portal").save(update_fields=["paperless"])
        messages.success(
            request,
            _("Paperless billing on: we will email you when each bill is ready.")
            if account.paperless
            else _("Paperless billing off: your bills will be mailed again."),
        )
    return redirect("portal:autopay", number=account.number)


@member_required
def arrangement(request: HttpRequest, number: str) -> HttpResponse:
    """Ask to pay a bill in installments; see the co-op's answer."""
    account = get_linked_account_or_404(request.user, number)
    waiting = waiting_request(account)
    form = ArrangementForm(request.POST or None, max_months=max_months())
    if request.method == "POST" and waiting is None and form.is_valid():
        data = form.cleaned_data
        try:
            request_arrangement(
                account=account,
                amount_now=data["amount_now"],
                months=data["months"],
                on=timezone.localdate(),
                note=data["note"],
                bill=posted_bills(account).first(),
            )
        except RuleViolation as violation:
            form.add_error(
                violation.field if violation.field in form.fields else None, violation.message
            )
        else:
            messages.success(
                request, _("Your request is with the co-op. You will see the answer here.")
            )
            return redirect("portal:arrangement", number=account.number)
    answered = (
        ArrangementRequest.objects.filter(account=account)
        .exclude(status="REQUESTED")
        .select_related("agreement")
        .order_by("-id")
        .first()
    )
    context = {
        "account": account,
        "form": form,
        "waiting": waiting,
        "answered": answered,
        "installments": list(answered.agreement.installments.all())
        if answered is not None and answered.agreement is not None
        else [],
        "owed": owed_now(account),
        **account_money(account),
    }
    return render(request, "portal/bills/arrangement.html", context)
