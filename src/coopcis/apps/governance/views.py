"""Staff pages for members' meetings, elections, the board and ethics.

The meeting page registers members present (search by name or membership number, one
check-in each) beside the live quorum (``quorum/?format=json``, polled by a static script);
the quorum and tally pages are one or two aggregate queries each, so they stay quick with
thousands checked in (benchmarks/governance_pages.py). Reports of violations are read only
with ``governance.review_ethicsreport``; the access review needs the read-log permission.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from coopcis.apps.billing.pdf.letter import letter_pdf
from coopcis.apps.governance import ethics, notices, services
from coopcis.apps.governance.acting import acted
from coopcis.apps.governance.models import (
    CheckIn,
    EthicsReport,
    Meeting,
)
from coopcis.apps.governance.residence import voting_members
from coopcis.apps.members.models import Membership
from coopcis.apps.staff.access import staff_view
from coopcis.catalog.profiles import active_profile
from coopcis.core.governance.meetings import notice_window
from coopcis.core.periods import CO_OP_TIME_ZONE
from coopcis.core.search import fold, query_words
from coopcis.site.jobs import today

VIEW_MEETINGS = "governance.view_meeting"
CHECK_IN = "governance.add_checkin"
REVIEW_REPORTS = "governance.review_ethicsreport"
REVIEW_READS = "audit.review_memberdataread"
SEARCH_RESULTS = 25


#: Days a governance form takes: the co-op's records, not year 1 or 9999 (whose date
#: arithmetic, e.g. the notice window, would overflow into a server error).
EARLIEST_DAY, LATEST_DAY = date(1900, 1, 1), date(2199, 12, 31)


def day_field(label: str, **kwargs: Any) -> forms.DateField:
    """A date typed into a governance form (a date picker), within the days above."""
    return forms.DateField(
        label=label,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[MinValueValidator(EARLIEST_DAY), MaxValueValidator(LATEST_DAY)],
        **kwargs,
    )


def _meeting_or_404(request: HttpRequest, meeting_id: int) -> Meeting | HttpResponse:
    meeting = Meeting.objects.filter(pk=meeting_id).first()
    if meeting is None:
        return render(
            request, "backoffice/not_found.html", {"what": f"meeting {meeting_id}"}, status=404
        )
    return meeting


@staff_view(VIEW_MEETINGS)
def meeting_list(request: HttpRequest) -> HttpResponse:
    meetings = Meeting.objects.annotate(present=Count("check_ins"))[:50]
    return render(request, "governance/meetings.html", {"meetings": meetings})


def search_members(meeting: Meeting, query: str) -> list[dict[str, object]]:
    """Members of record found by membership number or name words, with whether each is
    checked in already."""
    words = query_words(query)
    if not words:
        return []
    found = Membership.objects.filter(voting_members()).select_related("party")
    by_number = Q(number=query.strip()) | Q(number=fold(query).replace(" ", ""))
    by_name = Q()
    for word in words:
        by_name &= Q(party__search_name__contains=f" {word}")
    members = list(
        found.filter(by_number | by_name).order_by("party__display_name")[:SEARCH_RESULTS]
    )
    present = set(
        CheckIn.objects.filter(meeting=meeting, membership__in=members).values_list(
            "membership_id", flat=True
        )
    )
    return [
        {"number": m.number, "name": m.party.display_name, "present": m.pk in present}
        for m in members
    ]


@staff_view(VIEW_MEETINGS)
def meeting_page(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = _meeting_or_404(request, meeting_id)
    if isinstance(meeting, HttpResponse):
        return meeting
    return render_meeting_page(request, meeting)


class NoticeForm(forms.Form):
    """The day the notice is mailed: 10 to 25 days before the meeting (art. III sec. 3)."""

    mailed_on = day_field("Mailed on")


def render_meeting_page(
    request: HttpRequest, meeting: Meeting, notice_form: NoticeForm | None = None, status: int = 200
) -> HttpResponse:
    """The meeting's page; ``notice_form`` bound when the notice was refused."""
    query = request.GET.get("q", "").strip()[:100]
    open_record = meeting.certified_at is None
    can_send = request.user.has_perm(SEND_NOTICES) and open_record
    if notice_form is None and can_send:
        notice_form = NoticeForm(initial={"mailed_on": today()})
    return render(
        request,
        "governance/meeting.html",
        {
            "meeting": meeting,
            "quorum": services.quorum(meeting),
            "seats": sorted(services.seats_of(meeting).items()),
            "ballot": sorted(services.candidates(meeting).items()),
            "query": query,
            "found": search_members(meeting, query) if query else [],
            "can_check_in": request.user.has_perm(CHECK_IN) and open_record,
            "recent": meeting.check_ins.select_related("membership__party").order_by("-at", "-pk")[
                :10
            ],
            "questions": meeting.questions.all(),
            "question_form": QuestionForm(),
            "can_record_question": open_record and request.user.has_perm(RECORD_QUESTION),
            "can_adjourn": open_record and request.user.has_perm(CERTIFY),
            "notice": notices.notice_section(meeting),
            "notice_form": notice_form if can_send else None,
            "notice_window": notice_window(meeting_on=meeting.on, rules=services.rules()),
        },
        status=status,
    )


@staff_view(VIEW_MEETINGS, CHECK_IN, action="register members at a meeting")
def check_in(request: HttpRequest, meeting_id: int) -> HttpResponse:
    if request.method != "POST":
        return redirect(reverse("governance:meeting", kwargs={"meeting_id": meeting_id}))
    number = request.POST.get("membership", "").strip()
    query = request.POST.get("q", "")
    url = reverse("governance:meeting", kwargs={"meeting_id": meeting_id})
    return acted(
        request,
        lambda: services.check_in(meeting_id=meeting_id, number=number),
        done=lambda entry: f"{number} checked in ({entry.district or 'no district'}).",
        to=f"{url}?q={query}" if query else url,
    )


@staff_view(VIEW_MEETINGS)
def quorum_page(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = _meeting_or_404(request, meeting_id)
    if isinstance(meeting, HttpResponse):
        return meeting
    standing = services.quorum(meeting)
    figures = {
        "members_of_record": standing.members_of_record,
        "present": standing.present,
        "required": standing.required,
        "has_quorum": standing.has_quorum,
    }
    if request.GET.get("format") == "json":
        return JsonResponse(figures)
    by_district = (
        CheckIn.objects.filter(meeting=meeting)
        .values("district")
        .annotate(n=Count("id"))
        .order_by("district")
    )
    return render(
        request,
        "governance/quorum.html",
        {"meeting": meeting, "quorum": standing, "by_district": by_district},
    )


@staff_view(VIEW_MEETINGS)
def tally_page(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = _meeting_or_404(request, meeting_id)
    if isinstance(meeting, HttpResponse):
        return meeting
    open_record = meeting.certified_at is None
    return render(
        request,
        "governance/tally.html",
        {
            "meeting": meeting,
            "tally": services.tally(meeting),
            "toss_form": CoinTossForm()
            if open_record and request.user.has_perm(TOSS_COIN)
            else None,
            "can_certify": open_record and request.user.has_perm(CERTIFY),
        },
    )


@staff_view(VIEW_MEETINGS)
def petitions_page(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = _meeting_or_404(request, meeting_id)
    if isinstance(meeting, HttpResponse):
        return meeting
    return render(
        request,
        "governance/petitions.html",
        {
            "meeting": meeting,
            "petitions": meeting.petitions.all(),
            "form": PetitionForm()
            if request.user.has_perm(FILE_PETITION) and meeting.certified_at is None
            else None,
        },
    )


@staff_view(VIEW_MEETINGS)
def notice_pdf(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """The notice as printed, addressed to no one (a proof for the secretary)."""
    meeting = _meeting_or_404(request, meeting_id)
    if isinstance(meeting, HttpResponse):
        return meeting
    section = notices.notice_section(meeting)
    pdf = letter_pdf(
        profile=active_profile(),
        address_lines=("(member's name and address)",),
        sections=[section],
        title=section.title,
    )
    return HttpResponse(pdf, content_type="application/pdf")


class ReportForm(forms.Form):
    subject = forms.CharField(label="Subject", max_length=200)
    text = forms.CharField(label="What happened", widget=forms.Textarea)
    standard = forms.ChoiceField(
        label="Standard of conduct (if known)",
        required=False,
        choices=[("", "—"), *[(c, c) for c in "ABCDEF"]],
    )


@staff_view(action="report a suspected violation")
def ethics_report_new(request: HttpRequest) -> HttpResponse:
    """Any trustee or employee reports a suspected violation (code of ethics); what they
    write is read only by those the policy names, not by the reporter's colleagues."""
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ethics.report_violation(
            subject=form.cleaned_data["subject"],
            text=form.cleaned_data["text"],
            standard=form.cleaned_data["standard"],
            received_on=today(),
        )
        messages.success(request, "Your report is received and kept confidential.")
        return redirect(reverse("governance:ethics_report_new"))
    return render(request, "governance/report_form.html", {"form": form})


@staff_view(REVIEW_REPORTS, action="read reports of violations")
def ethics_reports(request: HttpRequest) -> HttpResponse:
    return render(request, "governance/reports.html", {"reports": EthicsReport.objects.all()[:100]})


@staff_view(REVIEW_READS, action="review who read member data")
def access_review(request: HttpRequest) -> HttpResponse:
    """The board's review of the member-data access log: a summary by staff member."""
    until_day = today()
    since_day = until_day - timedelta(
        days=int(request.GET.get("days", "90") or 90)
        if request.GET.get("days", "90").isdigit()
        else 90
    )
    since = datetime.combine(since_day, time.min, tzinfo=CO_OP_TIME_ZONE)
    until = datetime.combine(until_day + timedelta(days=1), time.min, tzinfo=CO_OP_TIME_ZONE)
    return render(
        request,
        "governance/access_review.html",
        {
            "summary": ethics.access_summary(since=since, until=until),
            "since": since_day,
            "until": until_day,
        },
    )


FILE_PETITION = "governance.add_nominatingpetition"
RECORD_QUESTION = "governance.add_question"
TOSS_COIN = "governance.add_cointoss"
CERTIFY = "governance.change_meeting"
#: Printing and sending the members' notice: the secretary's (a manager's).
SEND_NOTICES = "governance.change_meeting"


class QuestionForm(forms.Form):
    text = forms.CharField(label="Question", max_length=500)
    votes_for = forms.IntegerField(label="Votes for", min_value=0)
    votes_against = forms.IntegerField(label="Votes against", min_value=0)


class PetitionForm(forms.Form):
    district = forms.ChoiceField(label="District")
    candidate = forms.CharField(label="Candidate's membership number", max_length=12)
    signers = forms.CharField(
        label="Signers' membership numbers, as on the petition",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Separated by commas, spaces or lines; a membership signing twice is struck.",
    )
    filed_on = day_field("Filed on")

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["district"].choices = list(active_profile().districts)  # type: ignore[attr-defined]


class CoinTossForm(forms.Form):
    district = forms.ChoiceField(label="District")
    winner = forms.CharField(label="Winner's membership number", max_length=12)
    called_by = forms.CharField(label="Called by", max_length=200)
    call = forms.ChoiceField(
        label="Call", choices=[("", "—"), ("heads", "Heads"), ("tails", "Tails")], required=False
    )
    result = forms.ChoiceField(
        label="Result", choices=[("", "—"), ("heads", "Heads"), ("tails", "Tails")], required=False
    )
    chair = forms.CharField(
        label="Chair who set the rules (not a tied candidate)", max_length=200, required=False
    )
    rules = forms.CharField(label="Rules of the toss", max_length=300, required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["district"].choices = list(active_profile().districts)  # type: ignore[attr-defined]


@staff_view(VIEW_MEETINGS, FILE_PETITION, action="record nominating petitions")
def petition_new(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """Record a nominating petition as filed: valid or not, it is kept with its problems."""
    url = reverse("governance:petitions", kwargs={"meeting_id": meeting_id})
    form = PetitionForm(request.POST or None)
    if request.method != "POST" or not form.is_valid():
        messages.error(request, "Give the district, candidate, signers and filing date.")
        return redirect(url)
    signers = [part for part in form.cleaned_data["signers"].replace(",", " ").split() if part]
    return acted(
        request,
        lambda: services.file_petition(
            meeting_id=meeting_id,
            district=form.cleaned_data["district"],
            candidate_number=form.cleaned_data["candidate"].strip(),
            signers=signers,
            filed_on=form.cleaned_data["filed_on"],
        ),
        done=lambda petition: (
            f"Petition for {petition.candidate_number} recorded, "
            + ("valid" if petition.valid else "invalid: " + "; ".join(petition.problems))
            + "."
        ),
        to=url,
    )


@staff_view(VIEW_MEETINGS, TOSS_COIN, action="record a coin toss")
def coin_toss(request: HttpRequest, meeting_id: int) -> HttpResponse:
    url = reverse("governance:tally", kwargs={"meeting_id": meeting_id})
    form = CoinTossForm(request.POST or None)
    if request.method != "POST" or not form.is_valid():
        messages.error(request, "Give the district, the winner and who called the toss.")
        return redirect(url)
    data = form.cleaned_data
    return acted(
        request,
        lambda: services.record_coin_toss(
            meeting_id=meeting_id,
            district=data["district"],
            winner=data["winner"].strip(),
            called_by=data["called_by"],
            call=data["call"],
            result=data["result"],
            chair=data["chair"],
            toss_rules=data["rules"],
        ),
        done=lambda toss: f"Coin toss in {toss.district}: {toss.winner} takes the seat.",
        to=url,
    )


@staff_view(VIEW_MEETINGS, CERTIFY, action="certify the election")
def certify(request: HttpRequest, meeting_id: int) -> HttpResponse:
    url = reverse("governance:tally", kwargs={"meeting_id": meeting_id})
    if request.method != "POST":
        return redirect(url)
    return acted(
        request,
        lambda: services.certify(meeting_id=meeting_id, on=today()),
        done=lambda _: "The result is certified and kept with the minutes.",
        to=url,
    )
