"""Staff page for an account's life-support certificates (``/outages/life-support/<number>/``):
record one, renew it with the next certificate's expiry, end it; print the member's
confirmation letter. Each change is audited and confirmed to the member
(``outages.life_support``); each view of the page is a logged read of member data."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from coopcis.apps.audit.models import ReadKind
from coopcis.apps.audit.reads import reads_member_data, record_read
from coopcis.apps.members.models import Account
from coopcis.apps.outages import life_support as service
from coopcis.apps.outages.models import LifeSupportCertificate
from coopcis.apps.staff.access import forbidden, staff_view
from coopcis.apps.staff.forms import add_violation
from coopcis.core.errors import RuleViolation

ADD = "outages.add_lifesupportcertificate"
CHANGE = "outages.change_lifesupportcertificate"
DATE = forms.DateInput(attrs={"type": "date"})


class CertificateForm(forms.Form):
    equipment = forms.CharField(
        label="Equipment", max_length=120, help_text="e.g. oxygen concentrator, home dialysis"
    )
    certified_by = forms.CharField(label="Certified by (practitioner)", max_length=120)
    received_on = forms.DateField(label="Certificate received", widget=DATE)
    expires_on = forms.DateField(label="Expires on", widget=DATE)


class RenewForm(forms.Form):
    received_on = forms.DateField(label="New certificate received", widget=DATE)
    expires_on = forms.DateField(label="New expiry", widget=DATE)


class EndForm(forms.Form):
    ended_on = forms.DateField(label="Ended on", widget=DATE)
    reason = forms.CharField(label="Why", max_length=200)


def _act(request: HttpRequest, account: Account, part: str, pk: int | None) -> forms.Form | None:
    """Run the posted action; the form with its errors, or None when it succeeded."""
    today = timezone.localdate()
    certificate = None
    if pk is not None:
        certificate = LifeSupportCertificate.objects.filter(pk=pk, account=account).first()
        if certificate is None:
            raise RuleViolation("no such certificate on this account", field="certificate")
    form: forms.Form
    if part == "new":
        form = CertificateForm(request.POST, prefix="new")
    elif part == "renew" and certificate is not None:
        form = RenewForm(request.POST, prefix=f"renew{certificate.pk}")
    elif part == "end" and certificate is not None:
        form = EndForm(request.POST, prefix=f"end{certificate.pk}")
    else:
        raise RuleViolation("unknown action", field="part")
    if not form.is_valid():
        return form
    data = form.cleaned_data
    try:
        if part == "new":
            service.record_certificate(account=account, today=today, **data)
        elif part == "renew":
            assert certificate is not None
            service.renew_certificate(certificate, today=today, **data)
        else:
            assert certificate is not None
            service.end_certificate(certificate, today=today, **data)
    except RuleViolation as violation:
        add_violation(form, violation)
        return form
    return None


@staff_view()
@reads_member_data(ReadKind.LIFE_SUPPORT)
def life_support(request: HttpRequest, number: str) -> HttpResponse:
    account = Account.objects.select_related("party").filter(number=number).first()
    if account is None:
        return render(
            request, "backoffice/not_found.html", {"what": f"account {number}"}, status=404
        )
    failed: forms.Form | None = None
    if request.method == "POST":
        part = request.POST.get("part", "")
        if not request.user.has_perm(ADD if part == "new" else CHANGE):
            return forbidden(request, "record life-support certificates")
        raw = request.POST.get("certificate", "")
        try:
            failed = _act(request, account, part, int(raw) if raw.isdigit() else None)
        except RuleViolation as violation:
            messages.error(request, violation.message)
            return redirect("outages:life_support", number=number)
        if failed is None:
            messages.success(request, "Saved; the member is sent the confirmation.")
            return redirect("outages:life_support", number=number)
    today = timezone.localdate()
    certificates = list(LifeSupportCertificate.objects.filter(account=account))
    rows = [
        {
            "certificate": c,
            "in_force": c.counts_on(today),
            "renew_form": failed
            if isinstance(failed, RenewForm) and failed.prefix == f"renew{c.pk}"
            else RenewForm(prefix=f"renew{c.pk}"),
            "end_form": failed
            if isinstance(failed, EndForm) and failed.prefix == f"end{c.pk}"
            else EndForm(prefix=f"end{c.pk}", initial={"ended_on": today}),
        }
        for c in certificates
    ]
    context = {
        "account": account,
        "rows": rows,
        "in_force": any(row["in_force"] for row in rows),
        "new_form": failed
        if isinstance(failed, CertificateForm)
        else CertificateForm(prefix="new", initial={"received_on": today}),
        "can_add": request.user.has_perm(ADD),
        "can_change": request.user.has_perm(CHANGE),
    }
    status = 400 if failed is not None else 200
    return render(request, "outages/life_support.html", context, status=status)


@staff_view()
def letter(request: HttpRequest, certificate_id: int) -> HttpResponse:
    """The confirmation letter of the certificate's latest change, in the member's language."""
    certificate = (
        LifeSupportCertificate.objects.select_related("account__party")
        .filter(pk=certificate_id)
        .first()
    )
    if certificate is None:
        return render(request, "backoffice/not_found.html", {"what": "certificate"}, status=404)
    if certificate.ended_on is not None:
        stage = service.ENDED
    elif certificate.renewed_on is not None:
        stage = service.RENEWED
    else:
        stage = service.RECORDED
    pdf = service.confirmation_letter(certificate, stage)
    record_read(request, account_number=certificate.account.number, kind=ReadKind.LIFE_SUPPORT)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="life-support-{certificate.account.number}.pdf"'
    )
    return response
