"""Back-office pages: account search, the account page and the account-level changes.

One domain call per view: a view parses its form, calls one service (or one
``actions`` step), and shows a refusal against the field at fault. :func:`form_page` does
that for the account page's cards (Collections, Security deposits).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from coopcis.apps.audit.models import ReadKind
from coopcis.apps.audit.reads import reads_member_data, record_read
from coopcis.apps.backoffice import permissions as perms
from coopcis.apps.backoffice import protections
from coopcis.apps.backoffice.cards import account_cards
from coopcis.apps.backoffice.deposit_records import deposit_records
from coopcis.apps.backoffice.forms import (
    AccountForm,
    AgreementEndForm,
    AgreementStartForm,
    MembershipForm,
    MeterInstallForm,
    MeterRemoveForm,
    add_violation,
    tariff_code_options,
)
from coopcis.apps.backoffice.history import (
    activity_rows,
    history_rows,
    mask,
    protection_rows,
    timeline,
)
from coopcis.apps.backoffice.permissions import staff_view
from coopcis.apps.backoffice.queries import (
    AccountOverview,
    every_payment,
    exact_account_number,
    load_account,
    normalize_query,
    search_accounts,
    service_address,
)
from coopcis.apps.backoffice.worklist import work_items
from coopcis.apps.billing.models import Bill
from coopcis.apps.billing.pdf import record_reprint, render_bill_by_id
from coopcis.apps.collections.models import CollectionCase
from coopcis.apps.collections.summary import account_collections
from coopcis.apps.credit.models import Deposit
from coopcis.apps.members.models import Account, Language
from coopcis.apps.members.services import enroll_membership, update_account
from coopcis.apps.metering.models import Meter
from coopcis.apps.metering.services import install_meter, remove_meter
from coopcis.apps.premises.models import ServiceAgreement
from coopcis.apps.premises.services import end_agreement, start_agreement
from coopcis.catalog.profiles import active_profile
from coopcis.core.errors import RuleViolation

RESULTS_PER_PAGE = 25


#: Records a change from a form's cleaned data (one service call); returns the message
#: staff see.
Record = Callable[[dict[str, Any]], str]


def not_found(request: HttpRequest, what: str) -> HttpResponse:
    return render(request, "backoffice/not_found.html", {"what": what}, status=404)


def account_not_found(request: HttpRequest, number: str) -> HttpResponse:
    return not_found(request, f"account {number}")


@staff_view()
def search(request: HttpRequest) -> HttpResponse:
    """The home page: the work list and the search box; with ``?q=`` it finds accounts by
    name, number, meter serial, address or phone."""
    query = normalize_query(request.GET.get("q", ""))
    # ``live=1``: the results alone, asked for while staff type (backoffice/search.js);
    # it never jumps to an account, Enter does
    live = request.GET.get("live") == "1"
    page = None
    if not query and not live:
        work = work_items(today=timezone.localdate())
        context = {"query": query, "page": None, "work": work}
        return render(request, "backoffice/search.html", context)
    if query:
        if not live and "page" not in request.GET and (number := exact_account_number(query)):
            return redirect("backoffice:account", number=number)
        paginator = Paginator(search_accounts(query), RESULTS_PER_PAGE)
        page = paginator.get_page(request.GET.get("page"))
        for account in page.object_list:
            account.service_address = service_address(account)
    template = "backoffice/_search_results.html" if live else "backoffice/search.html"
    return render(request, template, {"query": query, "page": page})


@staff_view()
@reads_member_data(ReadKind.ACCOUNT_PAGE)
def account_detail(request: HttpRequest, number: str) -> HttpResponse:
    overview = load_account(number)
    if overview is None:
        return account_not_found(request, number)
    return render(request, "backoffice/account.html", _account_context(request, overview))


@staff_view()
def bill_pdf(request: HttpRequest, bill_id: int) -> HttpResponse:
    """A bill as the member gets it (rendered now, so held bills can be previewed)."""
    rendered = render_bill_by_id(bill_id)
    if rendered is None:
        return render(request, "backoffice/not_found.html", {"what": f"bill {bill_id}"}, status=404)
    response = HttpResponse(rendered.pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{rendered.number}.pdf"'
    number = Bill.objects.filter(pk=bill_id).values_list("account__number", flat=True).first()
    record_read(request, account_number=number or "", kind=ReadKind.BILL_PDF)
    return response


class ReprintForm(forms.Form):
    reason = forms.CharField(
        label="Why", max_length=200, help_text="e.g. lost in the mail, asked for at the counter"
    )


@staff_view("billing.view_bill", action="reprint bills")
def bill_reprint(request: HttpRequest, bill_id: int) -> HttpResponse:
    """Print a bill again for the member, marked as a copy of that day; audited."""
    bill = Bill.objects.select_related("account__party").filter(pk=bill_id).first()
    if bill is None:
        return not_found(request, f"bill {bill_id}")
    form = ReprintForm(posted_data(request))
    if request.method == "POST" and form.is_valid():
        today = timezone.localdate()
        rendered = render_bill_by_id(bill.pk, reprinted_on=today)
        assert rendered is not None  # the bill was just loaded
        record_reprint(bill, on=today, reason=form.cleaned_data["reason"])
        response = HttpResponse(rendered.pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{rendered.number}-copy.pdf"'
        record_read(request, account_number=bill.account.number, kind=ReadKind.BILL_PDF)
        return response
    return change_page(
        request, bill.account, form, f"Reprint bill {bill.number} ({bill.period})", button="Print"
    )


def _account_context(request: HttpRequest, overview: AccountOverview) -> dict[str, object]:
    draft = overview.bank_draft
    collections = account_collections(overview.account)
    protections.attach_receipts(cast(list[Deposit], collections["deposits"]))
    case = cast(CollectionCase | None, collections["collection_case"])
    records = protections.protection_records(overview.account, case, as_of=protections.today())
    return {
        "o": overview,
        "account": overview.account,
        "party": overview.account.party,
        "membership": overview.membership,
        "bank_draft": draft,
        "masked_bank_account": mask(draft.bank_account_number) if draft else "",
        "history": timeline(
            history_rows(overview.history),
            activity_rows(
                bills=overview.bills,
                payments=every_payment(overview.account),
                notices=cast(list[Any], collections["collection_notices"]),
                orders=cast(list[Any], collections["service_orders"]),
            )
            + protection_rows(records),
        ),
        "can": perms.abilities(request.user),
        **collections,
        "records": records,
        "deposit_records": deposit_records(overview.account),
        "cards": account_cards(overview.account),
        # notices and receipts keep the language code; staff read its name
        "languages": Language,
        # a service order's fee by the profile's name for it, not its code
        "fee_names": [(code, fee.description) for code, fee in active_profile().fees.items()],
    }


def account_or_404(request: HttpRequest, number: str) -> Account | HttpResponse:
    account = Account.objects.select_related("party").filter(number=number).first()
    return account if account is not None else account_not_found(request, number)


def change_page(
    request: HttpRequest, account: Account, form: object, title: str, **extra: object
) -> HttpResponse:
    context = {"account": account, "form": form, "title": title, **extra}
    return render(request, "backoffice/change_form.html", context)


def posted_data(request: HttpRequest) -> Any:
    """The form's data: the POST, or None to show it unbound."""
    return request.POST if request.method == "POST" else None


def form_page(
    request: HttpRequest,
    account: Account,
    form: forms.Form,
    title: str,
    record: Record,
    *,
    card: str = "",
    **extra: object,
) -> HttpResponse:
    """Show the form; on a valid POST record it and go back to the account page (at its
    ``card``, the element id, if given), or show the refusal against the field it names.
    ``extra``: more for the page's template."""
    if request.method == "POST" and form.is_valid():
        try:
            message = record(form.cleaned_data)
        except RuleViolation as violation:
            add_violation(form, violation)
        else:
            messages.success(request, message)
            url = reverse("backoffice:account", kwargs={"number": account.number})
            return redirect(f"{url}#{card}" if card else url)
    return change_page(request, account, form, title, **extra)


@staff_view(perms.EDIT_ACCOUNT, action="edit accounts")
def account_edit(request: HttpRequest, number: str) -> HttpResponse:
    account = account_or_404(request, number)
    if isinstance(account, HttpResponse):
        return account
    form = AccountForm.for_account(account, request.POST if request.method == "POST" else None)

    def record(data: dict[str, Any]) -> str:
        update_account(account=account, reason=data["reason"], **form.changes())
        return f"Account {account.number} updated."

    return form_page(request, account, form, "Edit contact and preferences", record)


@staff_view(perms.ENROLL_MEMBERSHIP, action="enroll members")
def membership_new(request: HttpRequest, number: str) -> HttpResponse:
    account = account_or_404(request, number)
    if isinstance(account, HttpResponse):
        return account
    form = MembershipForm(
        request.POST if request.method == "POST" else None,
        party=account.party,
        initial={"joined_on": timezone.localdate()},
    )

    def record(data: dict[str, Any]) -> str:
        membership = enroll_membership(
            party=account.party,
            kind=data["kind"],
            joined_on=data["joined_on"],
            number=data["number"].strip(),
        )
        return f"Membership {membership.number} started."

    return form_page(request, account, form, "Enroll membership", record)


@staff_view(perms.INSTALL_METER, action="install meters")
def meter_install(request: HttpRequest, number: str) -> HttpResponse:
    account = account_or_404(request, number)
    if isinstance(account, HttpResponse):
        return account
    initial = {
        "service_point": request.GET.get("service_point", ""),
        "installed_on": timezone.localdate(),
    }
    form = MeterInstallForm(request.POST if request.method == "POST" else None, initial=initial)

    def record(data: dict[str, Any]) -> str:
        install_meter(
            meter=data["meter"],
            service_point=data["service_point"],
            installed_on=data["installed_on"],
        )
        return f"Meter {data['meter'].serial} installed at {data['service_point'].code}."

    return form_page(request, account, form, "Install a meter", record)


@staff_view(perms.REMOVE_METER, action="remove meters")
def meter_remove(request: HttpRequest, number: str) -> HttpResponse:
    account = account_or_404(request, number)
    if isinstance(account, HttpResponse):
        return account
    serials = list(
        Meter.objects.filter(
            installations__removed_on__isnull=True,
            installations__service_point__agreements__account=account,
        )
        .values_list("serial", flat=True)
        .distinct()
        .order_by("serial")
    )
    initial = {"meter": request.GET.get("meter", ""), "removed_on": timezone.localdate()}
    form = MeterRemoveForm(
        request.POST if request.method == "POST" else None, initial=initial, serials=serials
    )

    def record(data: dict[str, Any]) -> str:
        remove_meter(
            meter=Meter.objects.get(serial=data["meter"]),
            removed_on=data["removed_on"],
            reason=data["reason"],
        )
        return f"Meter {data['meter']} removed."

    return form_page(request, account, form, "Remove a meter", record)


@staff_view(perms.START_AGREEMENT, action="start service agreements")
def agreement_start(request: HttpRequest, number: str) -> HttpResponse:
    account = account_or_404(request, number)
    if isinstance(account, HttpResponse):
        return account
    initial = {"service_point": request.GET.get("service_point", ""), "loss_factor": 0}
    form = AgreementStartForm(request.POST if request.method == "POST" else None, initial=initial)

    def record(data: dict[str, Any]) -> str:
        agreement = start_agreement(
            account=account, service_point=data["service_point"], **form.terms()
        )
        return f"Agreement started: {agreement}."

    return form_page(
        request,
        account,
        form,
        "Start a service agreement",
        record,
        tariff_codes=tariff_code_options(),
    )


@staff_view(perms.END_AGREEMENT, action="end service agreements")
def agreement_end(request: HttpRequest, number: str, agreement_id: int) -> HttpResponse:
    account = account_or_404(request, number)
    if isinstance(account, HttpResponse):
        return account
    agreement = (
        ServiceAgreement.objects.select_related("service_point")
        .filter(pk=agreement_id, account=account)
        .first()
    )
    if agreement is None:
        return render(
            request,
            "backoffice/not_found.html",
            {"what": f"agreement {agreement_id} on account {account.number}"},
            status=404,
        )
    form = AgreementEndForm(request.POST if request.method == "POST" else None)

    def record(data: dict[str, Any]) -> str:
        end_agreement(agreement=agreement, **data)
        return f"Agreement ended: {agreement}."

    return form_page(request, account, form, f"End agreement: {agreement}", record)
