"""A small co-op of members in two districts, a non-member and a withdrawn member."""

from __future__ import annotations

from datetime import date

from tests.factories import (
    AccountFactory,
    MembershipFactory,
    PartyFactory,
    ServiceAgreementFactory,
)


def member(
    number: str,
    district: str,
    *,
    kind: str = "MEMBER",
    status: str = "ACTIVE",
    email: str = "",
    premise_kind: str = "RESIDENCE",
):
    party = PartyFactory(last_name=f"Member{number}", first_name="Pat", email=email)
    membership = MembershipFactory(party=party, number=number, kind=kind, status=status)
    account = AccountFactory(party=party, number=f"9{number}")
    ServiceAgreementFactory(
        account=account,
        service_point__premise__district=district,
        service_point__premise__kind=premise_kind,
        start_on=date(2020, 1, 1),
    )
    return membership


def small_democracy() -> dict[str, list[str]]:
    """NW: 30 members (N100..N129), SE: 18 members (S200..S217); X900 non-member in NW,
    W901 withdrawn member in NW. 48 members of record: quorum ceil(0.96) = 1."""
    nw = [
        member(f"N{100 + i}", "NW", email=f"n{i}@example.org" if i < 3 else "").number
        for i in range(30)
    ]
    se = [member(f"S{200 + i}", "SE").number for i in range(18)]
    member("X900", "NW", kind="NON_MEMBER")
    member("W901", "NW", status="WITHDRAWN")
    return {"NW": nw, "SE": se}
