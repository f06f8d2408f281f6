"""Office cashier pages (back office): open a drawer's batch, take payments into it,
balance the drawer and close the batch, which posts its payments to cash (131) and the
members' receivables.

One domain call per view; a refusal shows against the field at fault.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.db.models import Count, Q, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from coopcis.apps.members.models import Account
from coopcis.apps.payments.forms import CloseBatchForm, OfficePaymentForm, OpenBatchForm
from coopcis.apps.payments.models import (
    BatchStatus,
    CashierBatch,
    PaymentChannel,
    PaymentStatus,
)
from coopcis.apps.payments.services import (
    IdempotencyConflict,
    batch_totals,
    close_batch,
    open_batch,
    owing,
    receive_payment,
)
from coopcis.apps.staff.access import staff_view
from coopcis.apps.staff.forms import add_violation
from coopcis.core.errors import RuleViolation

VIEW_BATCHES = "payments.view_cashierbatch"
OPEN_BATCH = "payments.add_cashierbatch"
CLOSE_BATCH = "payments.change_cashierbatch"
TAKE_PAYMENT = "payments.add_payment"
CLOSED_BATCHES_SHOWN = 50


def _not_found(request: HttpRequest, what: str) -> HttpResponse:
    return render(request, "backoffice/not_found.html", {"what": what}, status=404)


def _batch(batch_id: int) -> CashierBatch | None:
    return CashierBatch.objects.filter(pk=batch_id).first()


def _to_batch(batch: CashierBatch) -> HttpResponse:
    return redirect(reverse("backoffice:cashier_batch", kwargs={"batch_id": batch.pk}))


@staff_view(VIEW_BATCHES)
def batch_list(request: HttpRequest) -> HttpResponse:
    """Open batches, then the latest closed ones, with their payment count and total."""
    kept = ~Q(payments__status__in=(PaymentStatus.REVERSED, PaymentStatus.VOIDED))
    batches = CashierBatch.objects.annotate(
        payment_count=Count("payments", filter=kept),
        taken_amount=Sum("payments__amount", filter=kept),
    )
    return render(
        request,
        "backoffice/cashier_list.html",
        {
            "open_batches": batches.filter(status=BatchStatus.OPEN).order_by("drawer"),
            "closed_batches": batches.filter(status=BatchStatus.CLOSED).order_by(
                "-closed_at", "-id"
            )[:CLOSED_BATCHES_SHOWN],
        },
    )


@staff_view(OPEN_BATCH, action="open cashier batches")
def batch_open(request: HttpRequest) -> HttpResponse:
    form = OpenBatchForm(request.POST if request.method == "POST" else None)
    account = request.GET.get("account", "")
    if request.method == "POST" and form.is_valid():
        try:
            batch = open_batch(
                drawer=form.cleaned_data["drawer"].strip(),
                opened_on=timezone.localdate(),
                opening_cash=form.cleaned_data["opening_cash"],
            )
        except RuleViolation as violation:
            add_violation(form, violation)
        else:
            messages.success(request, f"Batch {batch.pk} opened for drawer {batch.drawer}.")
            if account:
                return _to_payment(batch, account)
            return _to_batch(batch)
    return render(
        request,
        "backoffice/cashier_form.html",
        {"form": form, "title": "Open a cashier batch", "button": "Open batch"},
    )


def _to_payment(batch: CashierBatch, account: str) -> HttpResponse:
    url = reverse("backoffice:cashier_pay", kwargs={"batch_id": batch.pk})
    return redirect(f"{url}?{urlencode({'account': account})}")


@staff_view(TAKE_PAYMENT, action="take payments")
def pay_for_account(request: HttpRequest) -> HttpResponse:
    """From the account page: into the one open batch, or pick one, or open one first."""
    account = request.GET.get("account", "")
    open_batches = list(CashierBatch.objects.filter(status=BatchStatus.OPEN).order_by("drawer"))
    if len(open_batches) == 1:
        return _to_payment(open_batches[0], account)
    if not open_batches:
        messages.info(request, "No cashier batch is open: open one for your drawer first.")
        return redirect(f"{reverse('backoffice:cashier_open')}?{urlencode({'account': account})}")
    return render(
        request,
        "backoffice/cashier_choose.html",
        {"open_batches": open_batches, "account": account},
    )


@staff_view(VIEW_BATCHES)
def batch_detail(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = _batch(batch_id)
    if batch is None:
        return _not_found(request, f"cashier batch {batch_id}")
    expected = batch_totals(batch)
    payments = batch.payments.select_related("account").order_by("-received_at", "-id")
    return render(
        request,
        "backoffice/cashier_batch.html",
        {
            "batch": batch,
            "expected": expected,
            "expected_drawer_cash": batch.opening_cash + expected.cash,
            "expected_total": expected.cash + expected.checks + expected.cards,
            "payments": payments,
            "form": OfficePaymentForm() if batch.status == BatchStatus.OPEN else None,
        },
    )


@staff_view(TAKE_PAYMENT, action="take payments")
def take_payment(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = _batch(batch_id)
    if batch is None:
        return _not_found(request, f"cashier batch {batch_id}")
    if request.method == "POST":
        form = OfficePaymentForm(request.POST)
    else:
        form = OfficePaymentForm(initial={"account": request.GET.get("account", "")})
    if request.method == "POST" and form.is_valid() and not _overpaid(form):
        data = form.cleaned_data
        try:
            received = receive_payment(
                account=data["account"],
                amount=data["amount"],
                channel=PaymentChannel.OFFICE,
                tender=data["tender"],
                received_on=timezone.localdate(),
                reference=data["reference"],
                source=f"cashier batch {batch.pk} ({batch.drawer})",
                idempotency_key=f"office:{data['submission']}",
                cashier_batch=batch,
            )
        except IdempotencyConflict:
            form.add_error(None, "This form was already saved with other figures; start anew.")
        except RuleViolation as violation:
            add_violation(form, violation, {"cashier_batch": None})
        else:
            payment = received.payment
            done = "Payment" if received.created else "Already recorded: payment"
            messages.success(
                request,
                f"{done} of ${payment.amount} ({payment.get_tender_display()}) "
                f"on account {payment.account.number} in batch {batch.pk}.",
            )
            return _to_batch(batch)
    number = form.data.get("account") if form.is_bound else form.initial.get("account")
    account = Account.objects.filter(number=str(number or "").strip()).first()
    return render(
        request,
        "backoffice/cashier_form.html",
        {
            "form": form,
            "batch": batch,
            "owing": owing(account) if account is not None else None,
            "owing_account": account,
            "title": f"Take a payment · batch {batch.pk} ({batch.drawer})",
            "button": "Take payment",
        },
    )


def _overpaid(form: OfficePaymentForm) -> bool:
    """Warn, and take nothing, when the payment is more than the account owes after what
    already waits in open batches, unless the cashier ticked the box that accepts it."""
    data = form.cleaned_data
    account, amount = data.get("account"), data.get("amount")
    if account is None or amount is None or data.get("take_overpayment"):
        return False
    now = owing(account)
    extra = now.overpaid_by(amount)
    if not extra:
        return False
    form.warn_overpayment(
        f"${amount:.2f} is ${extra:.2f} more than account {account.number} owes "
        f"(${max(now.after_pending, Decimal(0)):.2f} after ${now.pending:.2f} pending in open "
        "batches); the rest would be left as credit. Tick the box to take it anyway."
    )
    return True


@staff_view(CLOSE_BATCH, action="close cashier batches")
def batch_close(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = _batch(batch_id)
    if batch is None:
        return _not_found(request, f"cashier batch {batch_id}")
    form = CloseBatchForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            batch = close_batch(batch=batch, **form.cleaned_data)
        except RuleViolation as violation:
            add_violation(form, violation, {"batch": None})
        else:
            messages.success(request, f"Batch {batch.pk} closed: {describe(batch.difference)}.")
            return _to_batch(batch)
    expected = batch_totals(batch)
    return render(
        request,
        "backoffice/cashier_form.html",
        {
            "form": form,
            "batch": batch,
            "expected": expected,
            "expected_drawer_cash": batch.opening_cash + expected.cash,
            "title": f"Close batch {batch.pk} ({batch.drawer})",
            "button": "Close batch",
        },
    )


def describe(difference: Decimal | None) -> str:
    """A drawer's difference in words: balanced, over or short."""
    if not difference:
        return "the drawer balances"
    side = "over" if difference > 0 else "short"
    return f"${abs(difference):.2f} {side}"
