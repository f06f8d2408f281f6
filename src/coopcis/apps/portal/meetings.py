"""The meeting notice in the portal: the members' meetings to come whose notice is mailed
(bylaws art. III sec. 3), with the member's own trustee district and its candidates. The
same notice text the letter and the email carry (``governance.notices``), for a linked
account of a voting member only."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from coopcis.apps.governance.models import Meeting
from coopcis.apps.governance.notices import notice_section
from coopcis.apps.governance.residence import districts_of
from coopcis.apps.governance.services import candidates
from coopcis.apps.members.models import Membership
from coopcis.apps.portal.access import get_linked_account_or_404, member_required
from coopcis.site.jobs import today


@member_required
def meetings(request: HttpRequest, number: str) -> HttpResponse:
    account = get_linked_account_or_404(request.user, number)
    membership = Membership.objects.filter(party_id=account.party_id).first()
    votes = bool(membership and membership.can_vote)
    coming = Meeting.objects.filter(on__gte=today(), notice_mailed_on__isnull=False).order_by("on")
    notices = []
    for meeting in coming[:3]:
        district = (
            districts_of([membership.pk], on=meeting.on).get(membership.pk, "")
            if membership and votes
            else ""
        )
        notices.append(
            {
                "meeting": meeting,
                "notice": notice_section(meeting),
                "district": district,
                "candidates": candidates(meeting).get(district, []),
            }
        )
    return render(
        request,
        "portal/meetings.html",
        {"account": account, "votes": votes, "notices": notices},
    )
