"""The secretary's and the tellers' forms: call a meeting, print and send its notice,
enter a ballot, record a question's vote, adjourn, and members' charges against a trustee
with their hearing and vote; what ``coopcis meetings``, ``elections vote`` and ``board
charges|decide`` do, at a desk. Each calls the service the command calls, which refuses with the bylaw cited
(shown as a message or against the field); the changed rows are audited models.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from coopcis.apps.audit.models import ReadKind
from coopcis.apps.audit.reads import record_reads
from coopcis.apps.governance import board, notices, services
from coopcis.apps.governance.acting import acted, form_acted, refused_on_form
from coopcis.apps.governance.models import CalledBy, MeetingKind, Office, RemovalCase
from coopcis.apps.governance.views import (
    SEND_NOTICES,
    VIEW_MEETINGS,
    NoticeForm,
    QuestionForm,
    _meeting_or_404,
    render_meeting_page,
)
from coopcis.apps.governance.views import day_field as _date
from coopcis.apps.staff.access import staff_view
from coopcis.catalog.profiles import active_profile
from coopcis.core.errors import RuleViolation

CALL_MEETING = "governance.add_meeting"
ENTER_BALLOT = "governance.add_ballotissued"
RECORD_QUESTION = "governance.add_question"  # the same as views.RECORD_QUESTION
ADJOURN = "governance.change_meeting"
BRING_CHARGES = "governance.add_removalcase"
DECIDE_CHARGES = "governance.change_removalcase"


def _numbers(text: str) -> list[str]:
    """Membership numbers as written: separated by commas, spaces or lines."""
    return [part for part in text.replace(",", " ").split() if part]


class MeetingForm(forms.Form):
    on = _date("Date of the meeting")
    kind = forms.ChoiceField(label="Kind", choices=MeetingKind.choices)
    place = forms.CharField(label="Place", max_length=200, required=False)
    starts_at = forms.TimeField(
        label="Starts at", required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    called_by = forms.ChoiceField(
        label="Called by (a special meeting)",
        required=False,
        choices=[("", "—"), *[c for c in CalledBy.choices if c[0] != CalledBy.BYLAWS]],
    )
    callers = forms.CharField(
        label="Callers (trustees' or petitioners' membership numbers)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    purpose = forms.CharField(label="Purpose", required=False, max_length=500)
    seats = forms.CharField(
        label="Seats up (D=N,...)",
        required=False,
        help_text="Default for the annual meeting: from the board's terms.",
    )

    def clean_seats(self) -> dict[str, int] | None:
        text = self.cleaned_data.get("seats", "").strip()
        if not text:
            return None
        codes = active_profile().district_codes
        found: dict[str, int] = {}
        for part in text.split(","):
            district, _, count = part.strip().partition("=")
            district = district.strip().upper()
            if district not in codes or not count.strip().isdigit():
                raise forms.ValidationError(
                    f"write seats as D=N with D one of {', '.join(codes)}: {part.strip()!r}"
                )
            found[district] = int(count)
        return found


@staff_view(VIEW_MEETINGS, CALL_MEETING, action="call a members' meeting")
def meeting_new(request: HttpRequest) -> HttpResponse:
    """Call the annual meeting or a special one (art. III sec. 1, 2)."""
    form = MeetingForm(request.POST or None)
    done = form_acted(
        request,
        form,
        lambda data: services.create_meeting(
            on=data["on"],
            kind=data["kind"],
            place=data["place"],
            starts_at=data["starts_at"],
            called_by=data["called_by"] or None,
            callers=_numbers(data["callers"]),
            purpose=data["purpose"],
            seats=data["seats"],
        ),
        done=lambda meeting: f"{meeting} is called.",
        to=lambda meeting: reverse("governance:meeting", kwargs={"meeting_id": meeting.pk}),
    )
    return done or render(request, "governance/meeting_form.html", {"form": form})


class BallotForm(forms.Form):
    membership = forms.CharField(label="Voter's membership number", max_length=12)
    choices = forms.CharField(
        label="For (candidates' membership numbers)",
        help_text="As marked on the ballot; separated by commas or spaces.",
    )


@staff_view(VIEW_MEETINGS, ENTER_BALLOT, action="enter ballots")
def ballot(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """A member present casts their district's ballot (one per membership, no proxies)."""
    meeting = _meeting_or_404(request, meeting_id)
    if isinstance(meeting, HttpResponse):
        return meeting
    form = BallotForm(request.POST or None)
    done = form_acted(
        request,
        form,
        lambda data: services.cast_vote(
            meeting_id=meeting.pk,
            number=data["membership"].strip(),
            choices=_numbers(data["choices"]),
        ),
        done=lambda issued: (
            f"Ballot of {form.cleaned_data['membership'].strip()} entered ({issued.district})."
        ),
        to=reverse("governance:ballot", kwargs={"meeting_id": meeting.pk}),
    )
    return done or render(
        request,
        "governance/ballot.html",
        {
            "meeting": meeting,
            "form": form,
            "ballot": sorted(services.candidates(meeting).items()),
            "seats": services.seats_of(meeting),
            "cast": meeting.ballots.count(),
        },
    )


@staff_view(VIEW_MEETINGS, RECORD_QUESTION, action="record a question's vote")
def question(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """A question other than the election, decided by a majority of those voting."""
    url = reverse("governance:meeting", kwargs={"meeting_id": meeting_id})
    form = QuestionForm(request.POST or None)
    if request.method != "POST" or not form.is_valid():
        messages.error(request, "Give the question and its votes for and against.")
        return redirect(url)
    data = form.cleaned_data
    return acted(
        request,
        lambda: services.record_question(
            meeting_id=meeting_id,
            text=data["text"],
            votes_for=data["votes_for"],
            votes_against=data["votes_against"],
        ),
        done=lambda recorded: f"Question recorded: {'carried' if recorded.carried else 'failed'}.",
        to=url,
    )


@staff_view(VIEW_MEETINGS, ADJOURN, action="adjourn the meeting")
def adjourn(request: HttpRequest, meeting_id: int) -> HttpResponse:
    url = reverse("governance:meeting", kwargs={"meeting_id": meeting_id})
    if request.method != "POST":
        return redirect(url)
    return acted(
        request,
        lambda: services.adjourn(meeting_id=meeting_id),
        done=lambda meeting: (
            "The meeting is adjourned"
            + (" without a quorum" if meeting.adjourned_without_quorum else "")
            + "."
        ),
        to=url,
    )


class ChargesForm(forms.Form):
    trustee = forms.CharField(label="Trustee's membership number", max_length=12)
    office = forms.ChoiceField(
        label="Office (charges against an officer only)",
        required=False,
        choices=[("", "—"), *Office.choices],
    )
    charges = forms.CharField(
        label="The charges, as filed", widget=forms.Textarea(attrs={"rows": 3})
    )
    signers = forms.CharField(
        label="Petition signers' membership numbers",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Separated by commas, spaces or lines.",
    )
    filed_on = _date("Filed with the secretary on")
    informed_on = _date("Trustee informed in writing on")


class DecideForm(forms.Form):
    case = forms.IntegerField(widget=forms.HiddenInput)
    hearing = forms.CharField(
        label="The hearing (who was heard, evidence)", widget=forms.Textarea(attrs={"rows": 3})
    )
    votes_for = forms.IntegerField(label="Votes for removal", min_value=0)
    votes_against = forms.IntegerField(label="Votes against", min_value=0)


@staff_view(VIEW_MEETINGS)
def removals(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """Members' charges to be heard at this meeting, each with its hearing and vote; the
    forms to file charges and to record a decision (art. IV sec. 4, art. VI sec. 3)."""
    meeting = _meeting_or_404(request, meeting_id)
    if isinstance(meeting, HttpResponse):
        return meeting
    return _removals_page(request, meeting, ChargesForm(), DecideForm())


def _removals_page(
    request: HttpRequest, meeting: Any, charges: ChargesForm, decide: DecideForm
) -> HttpResponse:
    cases = RemovalCase.objects.filter(meeting=meeting).select_related("trustee").order_by("pk")
    return render(
        request,
        "governance/removals.html",
        {
            "meeting": meeting,
            "cases": cases,
            "charges_form": charges if request.user.has_perm(BRING_CHARGES) else None,
            "decide_form": decide if request.user.has_perm(DECIDE_CHARGES) else None,
        },
    )


@staff_view(VIEW_MEETINGS, BRING_CHARGES, action="record members' charges")
def charges_new(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = _meeting_or_404(request, meeting_id)
    if isinstance(meeting, HttpResponse):
        return meeting
    url = reverse("governance:removals", kwargs={"meeting_id": meeting.pk})
    form = ChargesForm(request.POST or None)
    if request.method != "POST":
        return redirect(url)
    done = form_acted(
        request,
        form,
        lambda data: board.bring_charges(
            number=data["trustee"].strip(),
            meeting_id=meeting.pk,
            charges=data["charges"],
            signers=_numbers(data["signers"]),
            filed_on=data["filed_on"],
            informed_on=data["informed_on"],
            office=data["office"],
        ),
        done=lambda case: (
            f"Charges against {case.trustee.name} recorded ({case.valid_signatures} valid "
            f"signatures of {case.required_signatures} needed)."
        ),
        to=url,
    )
    return done or _removals_page(request, meeting, form, DecideForm())


@staff_view(VIEW_MEETINGS, DECIDE_CHARGES, action="record a removal hearing and vote")
def charges_decide(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = _meeting_or_404(request, meeting_id)
    if isinstance(meeting, HttpResponse):
        return meeting
    url = reverse("governance:removals", kwargs={"meeting_id": meeting.pk})
    form = DecideForm(request.POST or None)
    if request.method != "POST":
        return redirect(url)

    def decide(data: dict[str, Any]) -> RemovalCase:
        if not RemovalCase.objects.filter(pk=data["case"], meeting=meeting).exists():
            raise RuleViolation(f"no charges {data['case']} at this meeting")
        return board.decide_charges(
            case_id=data["case"],
            hearing=data["hearing"],
            votes_for=data["votes_for"],
            votes_against=data["votes_against"],
        )

    done = form_acted(
        request,
        form,
        decide,
        done=lambda case: f"{case.trustee.name}: {'removed' if case.removed else 'not removed'}.",
        to=url,
    )
    return done or _removals_page(request, meeting, ChargesForm(), form)


@staff_view(VIEW_MEETINGS, SEND_NOTICES, action="print and send the meeting's notice")
def notices_send(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """From the meeting page: print every member's letter (one PDF) or send the notice by
    email and text through ``send_notices``; a mailing day outside 10 to 25 days before the
    meeting is refused with the bylaw cited and nothing printed or sent (art. III sec. 3)."""
    meeting = _meeting_or_404(request, meeting_id)
    if isinstance(meeting, HttpResponse):
        return meeting
    url = reverse("governance:meeting", kwargs={"meeting_id": meeting.pk})
    if request.method != "POST":
        return redirect(url)
    form = NoticeForm(request.POST)
    action = request.POST.get("action")
    if action not in ("print", "send", "resend"):
        form.add_error(None, "choose to print the letters or to send the notices")
    if form.is_valid():
        mailed_on = form.cleaned_data["mailed_on"]
        try:
            if action == "print":
                pdf, accounts = notices.notice_letters(meeting_id=meeting.pk, mailed_on=mailed_on)
            else:
                report = notices.send_notices(
                    meeting_id=meeting.pk,
                    mailed_on=mailed_on,
                    out=settings.VAR_DIR / "notices",
                    email=True,
                    write_files=False,
                    resend=action == "resend",
                )
        except RuleViolation as refused:
            refused_on_form(form, refused)
        else:
            if action == "print":
                record_reads(request, account_numbers=accounts, kind=ReadKind.NOTICE_PDF)
                response = HttpResponse(pdf, content_type="application/pdf")
                response["Content-Disposition"] = (
                    f'attachment; filename="notices-{meeting.pk}-{mailed_on.isoformat()}.pdf"'
                )
                return response
            messages.success(
                request,
                f"Notice recorded as {'re-sent' if report['resend'] else 'mailed'} "
                f"{mailed_on.isoformat()} to {report['letters']:,} "
                f"members; {report['emails']:,} sent by email or text.",
            )
            return redirect(url)
    return render_meeting_page(request, meeting, notice_form=form, status=400)
