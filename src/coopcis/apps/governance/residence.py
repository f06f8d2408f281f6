"""Who may vote where: each membership's facts (active member, district of residence,
recorded competing interest, removal for absences) read from the records in a few queries.

The district comes from the premise where the member resides (core/governance/districts):
premises with a service agreement open on the day, through the member's accounts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from django.db.models import Q

from coopcis.apps.governance.models import ConflictDisclosure, Trustee, TrusteeLeft
from coopcis.apps.members.models import Membership, MembershipKind, MembershipStatus
from coopcis.apps.premises.models import ServiceAgreement
from coopcis.catalog.profiles import active_profile
from coopcis.core.governance.districts import ServedPremise, residence_district
from coopcis.core.governance.petitions import MemberFacts


def voting_members() -> Q:
    """Members of record (art. I, III sec. 4): active memberships of members."""
    return Q(kind=MembershipKind.MEMBER, status=MembershipStatus.ACTIVE)


def members_of_record() -> int:
    return Membership.objects.filter(voting_members()).count()


def districts_of(membership_ids: Iterable[int] | None, *, on: date) -> dict[int, str]:
    """``{membership id: district}`` for the memberships served on ``on`` (all when None)."""
    agreements = ServiceAgreement.objects.filter(start_on__lte=on).filter(
        Q(end_on__isnull=True) | Q(end_on__gt=on)
    )
    if membership_ids is not None:
        agreements = agreements.filter(account__party__membership__in=list(membership_ids))
    rows = agreements.values_list(
        "account__party__membership",
        "service_point__premise_id",
        "service_point__premise__kind",
        "service_point__premise__district",
        "start_on",
    )
    served: dict[int, list[ServedPremise]] = defaultdict(list)
    for membership_id, premise_id, kind, district, start_on in rows:
        if membership_id is not None:
            served[membership_id].append(ServedPremise(premise_id, kind, district, start_on))
    found = {mid: residence_district(premises) for mid, premises in served.items()}
    return {mid: district for mid, district in found.items() if district}


def member_facts(numbers: Iterable[str], *, on: date) -> dict[str, MemberFacts]:
    """Facts for the memberships with these numbers (unknown numbers are left out)."""
    memberships = list(Membership.objects.filter(number__in=set(numbers)).select_related("party"))
    ids = [m.pk for m in memberships]
    districts = districts_of(ids, on=on)
    year = on.year
    competing = dict(
        ConflictDisclosure.objects.filter(membership__in=ids, year__gte=year - 1)
        .exclude(competing_business="")
        .values_list("membership", "competing_business")
    )
    rules = active_profile().governance
    removed = set(
        Trustee.objects.filter(
            membership__in=ids,
            left_reason=TrusteeLeft.REMOVED_ABSENCES,
            left_on__gte=date(year - rules.term_years, on.month, 1),
        ).values_list("membership", flat=True)
    )
    return {
        m.number: MemberFacts(
            number=m.number,
            name=m.party.display_name,
            is_voting_member=m.can_vote,
            district=districts.get(m.pk),
            competing_interest=competing.get(m.pk, ""),
            removed_for_absences=m.pk in removed,
        )
        for m in memberships
    }
