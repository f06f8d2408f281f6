"""The code of ethics at a desk (SEC, seed 000): conflict-of-interest disclosures (a
trustee's or employee's signed yearly statement, and one per decision with the recusal
written in the board meeting's minutes) beside who has not signed this year's statement;
and the district member lists a candidate or an incumbent is given on the same terms
(names and mailing addresses only, a CSV), each request logged and the log shown to
managers. What ``coopcis ethics disclose`` and ``ethics member-list`` do, through the same
services.
"""

from __future__ import annotations

import io
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from coopcis.apps.governance import ethics
from coopcis.apps.governance.acting import form_acted, refused_on_form
from coopcis.apps.governance.desk_views import _date
from coopcis.apps.governance.models import (
    BoardMeeting,
    ConflictDisclosure,
    DisclosureKind,
    MemberListRequest,
)
from coopcis.apps.governance.views import VIEW_MEETINGS
from coopcis.apps.staff.access import staff_view
from coopcis.catalog.profiles import active_profile
from coopcis.core import spreadsheet
from coopcis.core.errors import RuleViolation
from coopcis.site.jobs import today

RECORD_DISCLOSURE = "governance.add_conflictdisclosure"
GIVE_MEMBER_LIST = "governance.add_memberlistrequest"


class DisclosureForm(forms.Form):
    membership = forms.CharField(
        label="Trustee's or candidate's membership number", max_length=12, required=False
    )
    employee = forms.CharField(label="or the employee's sign-in", max_length=150, required=False)
    kind = forms.ChoiceField(label="Kind", choices=DisclosureKind.choices)
    year = forms.IntegerField(label="Year", min_value=1900, max_value=2199)
    interests = forms.CharField(
        label="Interests a decision could affect ('none' if none)",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    competing_business = forms.CharField(
        label="A competing or supplying business (bars a trustee or candidate)",
        max_length=200,
        required=False,
    )
    decision = forms.CharField(label="The decision (one disclosed)", max_length=300, required=False)
    board_meeting = forms.TypedChoiceField(
        label="At the board meeting", coerce=int, required=False, empty_value=None
    )
    recused = forms.BooleanField(label="Recused from the decision", required=False)
    signed_on = _date("Signed on")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["board_meeting"].choices = (
            [("", "—")]
            + [  # type: ignore[attr-defined]
                (m.pk, str(m)) for m in BoardMeeting.objects.all()[:24]
            ]
        )
        self.fields["year"].initial = today().year

    def clean(self) -> dict[str, Any] | None:
        data = super().clean() or {}
        if data.get("recused") and not data.get("board_meeting"):
            self.add_error(
                "board_meeting", "a recusal is recorded in a board meeting's minutes: name it"
            )
        if data.get("kind") == DisclosureKind.ANNUAL and data.get("recused"):
            self.add_error("recused", "a recusal goes with a disclosure for one decision")
        return data


def _disclosures_page(
    request: HttpRequest, form: DisclosureForm | None = None, status: int = 200
) -> HttpResponse:
    year = today().year
    if form is None and request.user.has_perm(RECORD_DISCLOSURE):
        form = DisclosureForm(initial={"signed_on": today()})
    return render(
        request,
        "governance/disclosures.html",
        {
            "form": form,
            "year": year,
            "missing_statements": ethics.missing_statements(year),
            "missing_employees": ethics.missing_employee_statements(year),
            "disclosures": ConflictDisclosure.objects.select_related("board_meeting")[:100],
        },
        status=status,
    )


@staff_view(VIEW_MEETINGS)
def disclosures(request: HttpRequest) -> HttpResponse:
    """Disclosures recorded, and the sitting trustees without this year's statement."""
    return _disclosures_page(request)


@staff_view(VIEW_MEETINGS, RECORD_DISCLOSURE, action="record a conflict-of-interest disclosure")
def disclosure_new(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return redirect(reverse("governance:disclosures"))
    form = DisclosureForm(request.POST)
    done = form_acted(
        request,
        form,
        lambda data: ethics.disclose(
            kind=data["kind"],
            year=data["year"],
            interests=data["interests"],
            signed_on=data["signed_on"],
            membership_number=data["membership"].strip(),
            employee=data["employee"].strip(),
            competing_business=data["competing_business"],
            decision=data["decision"],
            board_meeting_id=data["board_meeting"],
            recused=data["recused"],
        ),
        done=lambda disclosure: (
            f"Disclosure by {disclosure.person_name} recorded"
            + (" and the recusal written in the minutes" if disclosure.recused else "")
            + "."
        ),
        to=reverse("governance:disclosures"),
        aliases={"who": "membership"},
    )
    return done or _disclosures_page(request, form, status=400)


class MemberListForm(forms.Form):
    district = forms.ChoiceField(label="District")
    for_number = forms.CharField(
        label="For (the candidate's or trustee's membership number)", max_length=12
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["district"].choices = [  # type: ignore[attr-defined]
            (code, f"{code} ({name})") for code, name in active_profile().districts
        ]


@staff_view(VIEW_MEETINGS, GIVE_MEMBER_LIST, action="give out district member lists")
def member_lists(request: HttpRequest) -> HttpResponse:
    """The form giving a district's list (a CSV of names and mailing addresses) to a
    candidate nominated there by a valid petition or a sitting trustee of it, the same list
    for both; refused for anyone else. Every list given is logged and listed here."""
    form = MemberListForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            logged, rows = ethics.district_member_list(
                district=data["district"], for_number=data["for_number"].strip(), on=today()
            )
        except RuleViolation as refused:
            refused_on_form(form, refused, {"for": "for_number"})
        else:
            return _csv(logged, rows)
    return render(
        request,
        "governance/member_lists.html",
        {"form": form, "log": MemberListRequest.objects.select_related("meeting")[:200]},
        status=400 if form.is_bound else 200,
    )


def _csv(logged: MemberListRequest, rows: list[tuple[str, str]]) -> HttpResponse:
    out = io.StringIO()
    writer = spreadsheet.writer(out)  # names are typed by members: never a formula
    writer.writerow(["name", "address"])
    writer.writerows(rows)
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    number = logged.for_membership.number if logged.for_membership else "unknown"
    filename = f"members-{logged.district}-for-{number}-{logged.requested_at:%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
