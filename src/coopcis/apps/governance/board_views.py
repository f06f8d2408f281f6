"""The board's pages (bylaws art. IV-VI): the board as it sits (seats, terms, officers,
vacancies, removal flags) with the forms seating a trustee, electing the yearly officers
and filling a vacancy for the rest of the term; board meetings, called regular or special
(five days' notice), each with its attendance form and the removal of a trustee flagged for
three consecutive unexcused absences. What ``coopcis board`` does, at a desk: each form
calls the service the command calls, which refuses with the bylaw cited (shown against the
field it names); the changed rows are audited models.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from coopcis.apps.governance import board, ethics
from coopcis.apps.governance.acting import form_acted
from coopcis.apps.governance.desk_views import _date
from coopcis.apps.governance.models import (
    AttendanceMark,
    BoardMeeting,
    BoardMeetingKind,
    ConflictDisclosure,
    Office,
    Trustee,
)
from coopcis.apps.governance.views import VIEW_MEETINGS
from coopcis.apps.staff.access import staff_view
from coopcis.catalog.profiles import active_profile
from coopcis.site.jobs import today

SEAT_TRUSTEE = "governance.add_trustee"
ELECT_OFFICERS = "governance.add_officerterm"
FILL_VACANCY = "governance.add_trustee"
CALL_BOARD_MEETING = "governance.add_boardmeeting"
RECORD_ATTENDANCE = "governance.add_attendance"
REMOVE_TRUSTEE = "governance.change_trustee"


def _districts() -> list[tuple[str, str]]:
    return [(code, f"{code} ({name})") for code, name in active_profile().districts]


def _trustee_choices(trustees: list[Trustee]) -> list[tuple[str, str]]:
    return [("", "—")] + [
        (t.membership.number, f"{t.name} ({t.district}, {t.membership.number})") for t in trustees
    ]


class SeatForm(forms.Form):
    membership = forms.CharField(label="Trustee's membership number", max_length=12)
    district = forms.ChoiceField(label="District")
    term_ends_year = forms.IntegerField(
        label="Term ends (year of the annual meeting)", min_value=1900, max_value=2199
    )
    started_on = _date("Sitting since")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, auto_id="seat_%s", **kwargs)
        self.fields["district"].choices = _districts()  # type: ignore[attr-defined]


class OfficersForm(forms.Form):
    """The four offices, each a sitting trustee (art. VI sec. 1)."""

    elected_on = _date("Elected on")

    def __init__(self, *args: Any, trustees: list[Trustee], **kwargs: Any) -> None:
        super().__init__(*args, auto_id="officers_%s", **kwargs)
        for office in Office:
            self.fields[office.value.lower()] = forms.ChoiceField(
                label=office.label, choices=_trustee_choices(trustees)
            )


class VacancyForm(forms.Form):
    district = forms.ChoiceField(label="District of the vacancy")
    membership = forms.CharField(label="Appointee's membership number", max_length=12)
    on = _date("Appointed by the board on")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, auto_id="vacancy_%s", **kwargs)
        self.fields["district"].choices = _districts()  # type: ignore[attr-defined]


class BoardMeetingForm(forms.Form):
    on = _date("Date of the board meeting")
    kind = forms.ChoiceField(label="Kind", choices=BoardMeetingKind.choices)
    notice_given_on = _date(
        "Written notice given on (a special meeting)",
        required=False,
        help_text="At least five days before a special meeting (art. V sec. 3).",
    )
    purpose = forms.CharField(label="Purpose", max_length=300, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, auto_id="board_meeting_%s", **kwargs)


def _board_page(
    request: HttpRequest, forms_given: dict[str, forms.Form] | None = None, status: int = 200
) -> HttpResponse:
    """The board as it sits; the forms for those who may use them (a refused one bound)."""
    trustees = board.sitting()
    holders = {t.pk: office for office, t in board.officers().items()}
    given = forms_given or {}
    user = request.user
    offered = {
        "seat_form": (SEAT_TRUSTEE, lambda: SeatForm()),
        "officers_form": (ELECT_OFFICERS, lambda: OfficersForm(trustees=trustees)),
        "vacancy_form": (FILL_VACANCY, lambda: VacancyForm()),
        "meeting_form": (CALL_BOARD_MEETING, lambda: BoardMeetingForm()),
    }
    context: dict[str, Any] = {
        name: (given.get(name) or make()) if user.has_perm(permission) else None
        for name, (permission, make) in offered.items()
    }
    officers = board.officers()
    return render(
        request,
        "governance/board.html",
        {
            **context,
            "trustees": [(t, holders.get(t.pk, "")) for t in trustees],
            "officers": [(office.label, officers.get(office.value)) for office in Office],
            "vacancies": board.vacancies(on=today()),
            "flagged": [t for t in trustees if t.flagged_for_removal],
            "meetings": BoardMeeting.objects.prefetch_related("attendance__trustee")[:12],
            "missing_statements": ethics.missing_statements(today().year),
            "disclosures": ConflictDisclosure.objects.all()[:30],
        },
        status=status,
    )


@staff_view(VIEW_MEETINGS)
def board_page(request: HttpRequest) -> HttpResponse:
    return _board_page(request)


def _board_url() -> str:
    return reverse("governance:board")


@staff_view(VIEW_MEETINGS, SEAT_TRUSTEE, action="seat a trustee")
def seat(request: HttpRequest) -> HttpResponse:
    """Record a sitting trustee: a member residing in the district, eligible (art. IV sec. 2),
    at most two per district."""
    if request.method != "POST":
        return redirect(_board_url())
    form = SeatForm(request.POST)
    done = form_acted(
        request,
        form,
        lambda data: board.seat_trustee(
            number=data["membership"].strip(),
            district=data["district"],
            term_ends_year=data["term_ends_year"],
            started_on=data["started_on"],
        ),
        done=lambda trustee: (
            f"{trustee.name}: trustee for {trustee.district} to {trustee.term_ends_year}."
        ),
        to=_board_url(),
    )
    return done or _board_page(request, {"seat_form": form}, status=400)


@staff_view(VIEW_MEETINGS, ELECT_OFFICERS, action="record the election of officers")
def officers(request: HttpRequest) -> HttpResponse:
    """The yearly election of officers by and from the board (art. VI sec. 1-2)."""
    if request.method != "POST":
        return redirect(_board_url())
    form = OfficersForm(request.POST, trustees=board.sitting())
    done = form_acted(
        request,
        form,
        lambda data: board.elect_officers(
            on=data["elected_on"], offices={o.value: data[o.value.lower()] for o in Office}
        ),
        done=lambda terms: (
            "Officers elected: "
            + "; ".join(f"{t.get_office_display()}: {t.trustee.name}" for t in terms)
            + "."
        ),
        to=_board_url(),
    )
    return done or _board_page(request, {"officers_form": form}, status=400)


@staff_view(VIEW_MEETINGS, FILL_VACANCY, action="fill a vacancy on the board")
def fill(request: HttpRequest) -> HttpResponse:
    """A vacancy filled by the board for the unexpired part of the term (art. IV sec. 5)."""
    if request.method != "POST":
        return redirect(_board_url())
    form = VacancyForm(request.POST)
    done = form_acted(
        request,
        form,
        lambda data: board.fill_vacancy(
            district=data["district"], number=data["membership"].strip(), on=data["on"]
        ),
        done=lambda trustee: (
            f"{trustee.name} appointed for {trustee.district} to {trustee.term_ends_year}."
        ),
        to=_board_url(),
    )
    return done or _board_page(request, {"vacancy_form": form}, status=400)


@staff_view(VIEW_MEETINGS, CALL_BOARD_MEETING, action="call a board meeting")
def board_meeting_new(request: HttpRequest) -> HttpResponse:
    """A regular board meeting, or a special one on five days' written notice (art. V)."""
    if request.method != "POST":
        return redirect(_board_url())
    form = BoardMeetingForm(request.POST)
    done = form_acted(
        request,
        form,
        lambda data: board.call_board_meeting(
            on=data["on"],
            kind=data["kind"],
            notice_given_on=data["notice_given_on"],
            purpose=data["purpose"],
        ),
        done=lambda meeting: f"{meeting} is called.",
        to=lambda meeting: meeting_url(meeting.pk),
        aliases={"notice_on": "notice_given_on"},
    )
    return done or _board_page(request, {"meeting_form": form}, status=400)


def meeting_url(board_meeting_id: int) -> str:
    return reverse("governance:board_meeting", kwargs={"board_meeting_id": board_meeting_id})


class AttendanceForm(forms.Form):
    """Every sitting trustee's mark at one board meeting; whether an absence had a bona fide
    reason is the remaining trustees' decision (art. IV sec. 2(d))."""

    def __init__(
        self, *args: Any, trustees: list[Trustee], marks: dict[int, str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        for trustee in trustees:
            self.fields[f"mark_{trustee.membership.number}"] = forms.ChoiceField(
                label=f"{trustee.name} ({trustee.district})",
                choices=AttendanceMark.choices,
                initial=marks.get(trustee.pk, AttendanceMark.PRESENT),
                widget=forms.RadioSelect,
            )

    def numbers_marked(self, mark: str) -> list[str]:
        return [
            name.removeprefix("mark_")
            for name, value in self.cleaned_data.items()
            if name.startswith("mark_") and value == mark
        ]


class RemoveForm(forms.Form):
    """The trustee's membership number (the page offers the flagged ones); the service
    refuses anyone not flagged, with the bylaw."""

    trustee = forms.CharField(label="Trustee flagged for removal", max_length=12)


def _find_board_meeting(request: HttpRequest, board_meeting_id: int) -> BoardMeeting | HttpResponse:
    meeting = BoardMeeting.objects.filter(pk=board_meeting_id).first()
    if meeting is None:
        return render(
            request,
            "backoffice/not_found.html",
            {"what": f"board meeting {board_meeting_id}"},
            status=404,
        )
    return meeting


def _meeting_page(
    request: HttpRequest,
    meeting: BoardMeeting,
    attendance: AttendanceForm | None = None,
    remove: RemoveForm | None = None,
    status: int = 200,
) -> HttpResponse:
    trustees = board.sitting()
    marks = {a.trustee_id: a.mark for a in meeting.attendance.all()}
    flagged = [t for t in trustees if t.flagged_for_removal]
    user = request.user
    if attendance is None and user.has_perm(RECORD_ATTENDANCE):
        attendance = AttendanceForm(trustees=trustees, marks=marks)
    if remove is None and flagged and user.has_perm(REMOVE_TRUSTEE):
        remove = RemoveForm()
    return render(
        request,
        "governance/board_meeting.html",
        {
            "meeting": meeting,
            "attendance": meeting.attendance.select_related("trustee").order_by(
                "trustee__district", "trustee__name"
            ),
            "attendance_form": attendance,
            "flagged": flagged,
            "remove_form": remove,
            "disclosures": meeting.disclosures.all(),
        },
        status=status,
    )


@staff_view(VIEW_MEETINGS)
def board_meeting(request: HttpRequest, board_meeting_id: int) -> HttpResponse:
    """One board meeting: who attended, trustees flagged for removal, the minutes."""
    meeting = _find_board_meeting(request, board_meeting_id)
    if isinstance(meeting, HttpResponse):
        return meeting
    return _meeting_page(request, meeting)


@staff_view(VIEW_MEETINGS, RECORD_ATTENDANCE, action="record a board meeting's attendance")
def attendance(request: HttpRequest, board_meeting_id: int) -> HttpResponse:
    meeting = _find_board_meeting(request, board_meeting_id)
    if isinstance(meeting, HttpResponse):
        return meeting
    if request.method != "POST":
        return redirect(meeting_url(meeting.pk))
    form = AttendanceForm(request.POST, trustees=board.sitting(), marks={})

    def recorded(answer: tuple[bool, list[Trustee]]) -> str:
        has_quorum, flagged = answer
        names = ", ".join(t.name for t in flagged) or "none"
        return (
            f"Attendance recorded: {'a quorum' if has_quorum else 'no quorum'} "
            f"(a majority of the trustees, art. V sec. 4); flagged for removal: {names}."
        )

    done = form_acted(
        request,
        form,
        lambda _: board.record_attendance(
            board_meeting_id=meeting.pk,
            present=form.numbers_marked(AttendanceMark.PRESENT),
            excused=form.numbers_marked(AttendanceMark.EXCUSED),
        ),
        done=recorded,
        to=meeting_url(meeting.pk),
    )
    return done or _meeting_page(request, meeting, attendance=form, status=400)


@staff_view(VIEW_MEETINGS, REMOVE_TRUSTEE, action="remove a trustee for absences")
def remove(request: HttpRequest, board_meeting_id: int) -> HttpResponse:
    """The board removes a trustee flagged for three consecutive unexcused absences at this
    meeting (art. IV sec. 2(d)); the removal is written in its minutes."""
    meeting = _find_board_meeting(request, board_meeting_id)
    if isinstance(meeting, HttpResponse):
        return meeting
    if request.method != "POST":
        return redirect(meeting_url(meeting.pk))
    form = RemoveForm(request.POST)
    done = form_acted(
        request,
        form,
        lambda data: board.remove_for_absences(
            number=data["trustee"].strip(), on=meeting.on, board_meeting_id=meeting.pk
        ),
        done=lambda trustee: (
            f"{trustee.name} removed; {trustee.district} has a vacancy for the rest of the "
            f"term to {trustee.term_ends_year}."
        ),
        to=_board_url(),
    )
    return done or _meeting_page(request, meeting, remove=form, status=400)
