"""The written notice of a members' meeting (bylaws art. III sec. 3, art. IV sec. 3): the
place, day and hour, the purpose of a special meeting, the order of business (art. III
sec. 6), and the number of trustees to be elected with the candidates' names and
addresses; mailed 10 to 25 days before to every member at the address of record (a PDF
letter each), and emailed as well to members who have an email address.

The electronic copy goes through the members' notifications (``coopcis.apps.notify``,
kind ``meeting_notice``): by email, or by text where the member chose it, never twice for
one meeting and member, sent after the transaction commits, so a dry run sends nothing.

The notice goes once: sending it again is refused (nothing printed, sent or written in the
minutes again) unless staff ask for a re-send, on a later day still inside the window. A
re-send prints and sends every member's notice once more and is recorded in the minutes
as a re-send with its day.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from django.db import transaction

from coopcis.apps.billing.pdf.letter import Section, form_letters_pdf, letter_pdf
from coopcis.apps.governance import services
from coopcis.apps.governance.models import Meeting, MeetingKind
from coopcis.apps.governance.residence import voting_members
from coopcis.apps.members.models import Account, Membership
from coopcis.apps.notify.models import MessageStatus
from coopcis.apps.notify.services import notify
from coopcis.catalog.profiles import active_profile
from coopcis.core.errors import RuleViolation
from coopcis.core.governance.meetings import ORDER_OF_BUSINESS, check_notice_date


def notice_section(meeting: Meeting) -> Section:
    """The notice's text, the same on paper, on the web and in the email."""
    what = "annual meeting" if meeting.kind == MeetingKind.ANNUAL else "special meeting"
    paragraphs = []
    if meeting.purpose:
        paragraphs.append(f"Purpose of the meeting: {meeting.purpose}")
    paragraphs.append(
        "Order of business: "
        + "; ".join(f"{n}) {item}" for n, item in enumerate(ORDER_OF_BUSINESS, 1))
        + "."
    )
    seats = services.seats_of(meeting)
    ballot = services.candidates(meeting)
    for district, count in sorted(seats.items()):
        if not count:
            continue
        names = "; ".join(
            f"{p.candidate_name}, {p.candidate_address}" for p in ballot.get(district, [])
        )
        paragraphs.append(
            f"District {district}: {count} trustee(s) to be elected. Candidates nominated by "
            f"petition: {names or 'none'}."
        )
    paragraphs.append(
        "Members vote in person, one vote per membership; there are no proxies and no "
        "nominations from the floor. Trustees are elected by the members present who reside "
        "in the district."
    )
    return Section(
        title=f"Notice of the {what} of the members",
        facts=(
            ("Date", meeting.on.strftime("%A, %B %-d, %Y")),
            ("Time", meeting.starts_at),
            ("Place", meeting.place or "to be announced"),
        ),
        paragraphs=tuple(paragraphs),
    )


def notice_text(section: Section) -> str:
    facts = "\n".join(f"{label}: {value}" for label, value in section.facts)
    return f"{section.title}\n\n{facts}\n\n" + "\n\n".join(section.paragraphs) + "\n"


def _recipients() -> list[tuple[Membership, Account | None]]:
    members = Membership.objects.filter(voting_members()).select_related("party").order_by("number")
    accounts: dict[int, Account] = {}
    for account in (
        Account.objects.filter(party__membership__in=members)
        .select_related("party")
        .order_by("-opened_on", "-pk")
    ):
        accounts[account.party_id] = account  # the oldest account wins (iterated last)
    return [(member, accounts.get(member.party_id)) for member in members]


def _lines(member: Membership, account: Account | None) -> tuple[str, ...]:
    if account is None:
        return (member.party.display_name,)
    city = f"{account.mailing_city} {account.mailing_state} {account.mailing_zip}"
    return tuple(
        line
        for line in (member.party.display_name, account.mailing_line1, account.mailing_line2, city)
        if line
    )


def notice_letters(*, meeting_id: int, mailed_on: date) -> tuple[bytes, list[str]]:
    """Every member's letter in one PDF, in membership-number order, for the mail house:
    the pages :func:`send_notices` writes one file each, drawn by the same letter code.
    Refused for a mailing day outside the window (art. III sec. 3). Returns the PDF and
    the accounts whose addresses it prints (the staff member's read of them is logged)."""
    meeting = services.find_meeting(meeting_id)
    check_notice_date(mailed_on=mailed_on, meeting_on=meeting.on, rules=services.rules())
    section = notice_section(meeting)
    recipients = _recipients()
    pdf = form_letters_pdf(
        profile=active_profile(),
        section=section,
        addresses=(_lines(member, account) for member, account in recipients),
        title=section.title,
    )
    return pdf, [account.number for _member, account in recipients if account is not None]


def _check_mailing(meeting: Meeting, *, mailed_on: date, resend: bool) -> None:
    """Refuse a second mailing not asked for as a re-send, a re-send of a notice never
    mailed, and a re-send not after the last mailing (recorded already)."""
    source = services.rules().source
    if meeting.notice_mailed_on is None:
        if resend:
            raise RuleViolation(
                f"the notice of meeting {meeting.pk} has not been mailed: nothing to re-send",
                field="resend",
            )
        return
    last = meeting.notice_resent_on or meeting.notice_mailed_on
    if not resend:
        raise RuleViolation(
            f"the notice of meeting {meeting.pk} was already mailed "
            f"{meeting.notice_mailed_on.isoformat()} to {meeting.notices_printed} members; "
            f"it is mailed once, 10 to 25 days before the meeting ({source} art. III sec. 3)"
            ": to mail and send it to every member again, ask for a re-send (--resend)",
            field="mailed-on",
        )
    if mailed_on <= last:
        raise RuleViolation(
            f"the notice of meeting {meeting.pk} was last mailed {last.isoformat()}: a "
            f"re-send is recorded once, on a later day ({source} art. III sec. 3)",
            field="mailed-on",
        )


@transaction.atomic
def send_notices(
    *,
    meeting_id: int,
    mailed_on: date,
    out: Path,
    email: bool = True,
    write_files: bool = True,
    resend: bool = False,
) -> dict[str, Any]:
    """Print a letter for each member and email those with an address; refuse a mailing day
    outside the window (art. III sec. 3), and a notice already mailed unless ``resend``
    (then every member is printed and sent to once more, on a day after the last mailing)."""
    meeting = services.find_meeting(meeting_id, lock=True)
    check_notice_date(mailed_on=mailed_on, meeting_on=meeting.on, rules=services.rules())
    _check_mailing(meeting, mailed_on=mailed_on, resend=resend)
    profile = active_profile()
    section = notice_section(meeting)
    if write_files:
        out.mkdir(parents=True, exist_ok=True)
    letters = 0
    sent = 0
    words = {
        "notice_title": section.title,
        "notice_facts": [list(fact) for fact in section.facts],
        "notice_paragraphs": list(section.paragraphs),
        "meeting_date": meeting.on.isoformat(),
        "meeting_time": meeting.starts_at,
        "meeting_place": meeting.place,
    }
    for member, account in _recipients():
        if write_files:
            pdf = letter_pdf(
                profile=profile,
                address_lines=_lines(member, account),
                sections=[section],
                title=section.title,
            )
            (out / f"notice-{meeting.pk}-{member.number}.pdf").write_bytes(pdf)
        letters += 1
        if email:
            message = notify(
                account or member.party,
                "meeting_notice",
                words,
                idempotency_key=f"meeting-notice-{meeting.pk}-{member.number}"
                + (f"-resent-{mailed_on.isoformat()}" if resend else ""),
            )
            sent += message.status != MessageStatus.SKIPPED
    if resend:
        meeting.notice_resent_on = mailed_on
    else:
        meeting.notice_mailed_on = mailed_on
        meeting.notices_printed = letters
        meeting.notices_emailed = sent
    meeting.minutes += (
        f"Notice {'re-sent' if resend else 'mailed'} {mailed_on.isoformat()} to {letters} "
        f"members ({sent} also by email or text).\n"
    )
    meeting.save()
    return {
        "meeting": meeting.pk,
        "mailed_on": mailed_on.isoformat(),
        "resend": resend,
        "letters": letters,
        "emails": sent,
    }
