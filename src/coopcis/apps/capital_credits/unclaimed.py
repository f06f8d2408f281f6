"""Unclaimed retirements (bylaws art. VIII sec. 3, 7-8-6 NMSA 1978).

A patron who does not claim a retirement check within two years after it was mailed,
postage prepaid, to their last known address is deemed to have made an irrevocable gift
of it to the co-op, used for educational scholarships and charity. The daily job
(:func:`gift_unclaimed`) moves each such check out of accounts payable into the
educational and charitable fund: Dr 232, Cr 242.4. Two years after mailing means the
same calendar day two years later (29 February: 28 February); the check may be claimed
through that day and becomes a gift the day after. A claimed (cashed) check leaves 232
for cash: Dr 232, Cr 131.

The list is searchable by staff (:func:`unclaimed`: any part of a payee's name or an
account number) and by members in the portal (:func:`member_search`: by name only, each
word at least two letters and the start of a word of the payee's name, so a member looks
a name up and cannot list everyone; a check past its claim deadline is not listed even
before the daily job gifts it). A member asks to claim a check of their own account
(:func:`request_claim`): the request, with the mailing address they confirmed, waits for
staff, and recording the check claimed answers it. A check claimed in time this way is
not made a gift while its claim waits, even past the deadline: the member claimed it.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.db.models import Q, QuerySet

from coopcis.apps.capital_credits.models import (
    ClaimRequest,
    ClaimRequestStatus,
    Payout,
    PayoutMethod,
    PayoutStatus,
)
from coopcis.apps.capital_credits.params import rules
from coopcis.apps.capital_credits.payouts import CHECKS_PAYABLE
from coopcis.apps.ledger.models import EntryKind
from coopcis.apps.ledger.services import Posting, post_entry_ids
from coopcis.apps.members.models import Account
from coopcis.apps.members.requests import record_decision
from coopcis.core.addresses import Address
from coopcis.core.errors import RuleViolation
from coopcis.core.ledger.entries import JournalEntry, credit, debit
from coopcis.core.money import Money
from coopcis.core.search import fold

CHARITABLE_FUND = "242.4"
CASH = "131"
#: A member's search: each word at least this many letters; at most this many checks shown.
MEMBER_WORD_MIN = 2
MEMBER_SHOWN = 50


def years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def claim_deadline(mailed_on: date) -> date:
    """The last day a check mailed on ``mailed_on`` may be claimed."""
    return years_after(mailed_on, rules().unclaimed_after_years)


def unclaimed(query: str = "") -> QuerySet[Payout]:
    """Checks mailed and not yet claimed nor gifted, searchable by payee or account
    number (the list members and staff look themselves up in)."""
    found = Payout.objects.filter(method=PayoutMethod.CHECK, status=PayoutStatus.ISSUED)
    for word in fold(query).split():
        found = found.filter(Q(payee_search__contains=word))
    return found.select_related("account", "retirement").order_by("payee", "check_number")


def town_of(address: str) -> str:
    """The town of a check's last known address (``payouts.patrons``' form: "street;
    [unit;] City ST 12345"): the last part without its state and ZIP code."""
    last = address.rsplit(";", 1)[-1].split()
    return " ".join(last[:-2]) if len(last) > 2 else " ".join(last)


def member_words(query: str) -> list[str]:
    """The words of a member's search: letters only (no account numbers), each at least
    ``MEMBER_WORD_MIN`` long; none when any word is shorter or has a digit."""
    words = fold(query).split()
    if not words or any(len(w) < MEMBER_WORD_MIN or not w.isalpha() for w in words):
        return []
    return words


def member_search(query: str, *, today: date) -> list[Payout]:
    """Unclaimed checks whose payee's name has words starting with every word of
    ``query`` (see :func:`member_words`; nothing for a short or empty search), still
    claimable on ``today``: the first ``MEMBER_SHOWN`` by payee."""
    words = member_words(query)
    if not words:
        return []
    # payee_search is the folded name, a space, the account number: a word of the name
    # starts the text or follows a space.
    found = unclaimed().filter(mailed_on__gte=years_after(today, -rules().unclaimed_after_years))
    for word in words:
        found = found.filter(
            Q(payee_search__startswith=word) | Q(payee_search__contains=f" {word}")
        )
    return [
        payout
        for payout in found[:MEMBER_SHOWN]
        if payout.mailed_on is not None and claim_deadline(payout.mailed_on) >= today
    ]


def own_unclaimed(account: Account, *, on: date) -> list[Payout]:
    """The account's checks mailed, not claimed and still claimable on ``on`` (or claimed
    in time in the portal, the claim waiting for staff)."""
    return [
        payout
        for payout in unclaimed().filter(account=account)
        if payout.mailed_on is not None
        and (claim_deadline(payout.mailed_on) >= on or waiting_claim(payout) is not None)
    ]


def waiting_claim(payout: Payout) -> ClaimRequest | None:
    return ClaimRequest.objects.filter(payout=payout, status=ClaimRequestStatus.REQUESTED).first()


@transaction.atomic
def request_claim(*, payout: Payout, address: Address, on: date, requested_by: str) -> ClaimRequest:
    """A member asks to claim a check of their own account, confirming the mailing address
    it goes to (already checked as one: ``core.addresses``). Refused for a check claimed,
    gifted or past its deadline, or with a request already waiting."""
    locked = Payout.objects.select_for_update().get(pk=payout.pk)
    if locked.method != PayoutMethod.CHECK or locked.status != PayoutStatus.ISSUED:
        raise RuleViolation(f"check {locked.check_number} is not unclaimed", field="payout")
    if locked.mailed_on is None or claim_deadline(locked.mailed_on) < on:
        raise RuleViolation(
            f"check {locked.check_number} was not claimed within two years of mailing "
            "(bylaws art. VIII sec. 3)",
            field="payout",
        )
    if waiting_claim(locked) is not None:
        raise RuleViolation(
            f"a claim of check {locked.check_number} is already waiting", field="payout"
        )
    return ClaimRequest.objects.create(
        payout=locked,
        account_id=locked.account_id,
        line1=address.line1[:120],
        line2=address.line2[:120],
        city=address.city[:60],
        state=address.state[:2],
        zip_code=address.zip_code[:10],
        requested_on=on,
        requested_by=requested_by[:150],
    )


@transaction.atomic
def gift_unclaimed(*, as_of: date) -> list[Payout]:
    """Turn every check whose claim deadline passed before ``as_of`` into a gift; not one
    the member claimed in the portal in time (its claim waiting for staff: they mail it)."""
    due = [
        payout
        for payout in Payout.objects.select_for_update()
        .filter(
            method=PayoutMethod.CHECK,
            status=PayoutStatus.ISSUED,
            mailed_on__lt=as_of,
        )
        .exclude(claim_requests__status=ClaimRequestStatus.REQUESTED)
        .select_related("account")
        .order_by("mailed_on", "id")
        if claim_deadline(payout.mailed_on) < as_of  # type: ignore[arg-type]
    ]
    postings = []
    for payout in due:
        memo = (
            f"Unclaimed capital credit check {payout.check_number} mailed {payout.mailed_on}: "
            "gift to the educational and charitable fund (bylaws art. VIII sec. 3)"
        )
        lines = (
            debit(CHECKS_PAYABLE, Money(payout.amount), memo="Check not claimed"),
            credit(CHARITABLE_FUND, Money(payout.amount), member_account=payout.account.number),
        )
        postings.append(
            Posting(
                entry=JournalEntry(posted_on=as_of, memo=memo, lines=lines),
                kind=EntryKind.ADJUSTMENT,
                source_key=f"capital-credits:gift:{payout.pk}",
            )
        )
        payout.status, payout.gifted_on = PayoutStatus.GIFTED, as_of
    post_entry_ids(postings)
    Payout.objects.bulk_update(due, ["status", "gifted_on"])
    return due


@transaction.atomic
def claim_check(*, payout: Payout, on: date) -> Payout:
    """The patron claimed (cashed) a retirement check: Dr 232, Cr 131."""
    locked = Payout.objects.select_for_update().select_related("account").get(pk=payout.pk)
    if locked.method != PayoutMethod.CHECK or locked.amount <= 0:
        raise RuleViolation("only a mailed check is claimed", field="payout")
    if locked.status == PayoutStatus.GIFTED:
        raise RuleViolation(
            f"check {locked.check_number} was not claimed within two years of mailing and is "
            f"an irrevocable gift since {locked.gifted_on} (bylaws art. VIII sec. 3)",
            field="payout",
        )
    if locked.status == PayoutStatus.CLAIMED:
        raise RuleViolation(f"check {locked.check_number} is already claimed", field="payout")
    if locked.mailed_on and on < locked.mailed_on:
        raise RuleViolation("a check is claimed after it is mailed", field="on")
    memo = f"Capital credit check {locked.check_number} claimed"
    lines = (
        debit(CHECKS_PAYABLE, Money(locked.amount), memo=locked.account.number),
        credit(CASH, Money(locked.amount)),
    )
    post_entry_ids(
        [
            Posting(
                entry=JournalEntry(posted_on=on, memo=memo, lines=lines),
                kind=EntryKind.ADJUSTMENT,
                source_key=f"capital-credits:claim:{locked.pk}",
            )
        ]
    )
    locked.status, locked.claimed_on = PayoutStatus.CLAIMED, on
    locked.save(update_fields=["status", "claimed_on"])
    for request in ClaimRequest.objects.filter(
        payout=locked, status=ClaimRequestStatus.REQUESTED
    ):  # the member's claim is answered (saved one by one: each in the audit trail)
        record_decision(
            request,
            status=ClaimRequestStatus.CLAIMED,
            on=on,
            audit_reason=f"check {locked.check_number} claimed",
        )
    return locked
