"""Estates: a deceased patron's credits retired early, at their present value (bylaws art.
VIII sec. 2: retirements "in such manner as the Board ... may determine").

Each year's open credit (the operating pool; a G&T's pools wait for that co-op's cash) is
discounted at the profile's rate for the years until the general retirement, turning
over ``rotation_years``, would reach it (``core/capital_credits/retirement.py``,
``estate_present_value``: each year's value rounded half up to the cent). What the patron
owes the co-op (their receivables, 142.1 and 142.2) is deducted first; the rest is a check
to the estate at the last known address.

A joint membership (its party and the ``JointMember`` rows of the membership) follows the
profile's ``joint_estate``: ``survivor``: the credits stay with the surviving joint
members and are retired, all of them, only on the death of the last (the membership's
party's death recorded on the membership, each joint member's ``died_on``); ``share``:
each death retires the deceased's share, the open credits divided equally among the
holders whose share is not yet retired (rounded down to the cent), the last holder's
death retiring all that is left. A joint estate's request names the deceased where more
than one death is waiting.

Posted as one entry: Dr 201.1 the face value retired; Cr 217 the discount (retired capital
credits, gain); Cr 142.x the debts deducted; Cr 232 the check.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_DOWN, Decimal

from django.db import transaction
from django.db.models import F, Sum

from coopcis.apps.audit.context import current_actor
from coopcis.apps.capital_credits.models import (
    CapitalCredit,
    Payout,
    PayoutMethod,
    PayoutStatus,
    RetiredCredit,
    Retirement,
    RetirementKind,
)
from coopcis.apps.capital_credits.params import OPERATING, rules
from coopcis.apps.capital_credits.payouts import (
    CHECKS_PAYABLE,
    next_check_number,
    patrons,
    search_text,
)
from coopcis.apps.ledger.models import EntryKind, JournalLine
from coopcis.apps.ledger.services import Posting, post_entry_ids
from coopcis.apps.members.models import Account, Membership, MembershipStatus
from coopcis.core.capital_credits.retirement import EstateValue, estate_present_value
from coopcis.core.errors import RuleViolation
from coopcis.core.ledger import entries as core_entries
from coopcis.core.money import CENT, Money

PATRONAGE_CAPITAL = "201.1"
RETIREMENT_GAIN = "217"
RECEIVABLES = ("142.1", "142.2")


@dataclass(frozen=True)
class EstateResult:
    retirement: Retirement
    years: list[EstateValue]
    face: Decimal
    present_value: Decimal
    debts: dict[str, Decimal]
    check: Payout | None

    def as_json(self) -> dict[str, object]:
        return {
            "retirement": self.retirement.pk,
            "years": [
                {
                    "year": row.year,
                    "credit": f"{row.credit:.2f}",
                    "years_until_due": row.years_until_due,
                    "present_value": f"{row.value:.2f}",
                }
                for row in self.years
            ],
            "face": f"{self.face:.2f}",
            "present_value": f"{self.present_value:.2f}",
            "debts_deducted": {k: f"{v:.2f}" for k, v in self.debts.items()},
            "check": f"{self.check.amount:.2f}" if self.check else "0.00",
            "check_number": self.check.check_number if self.check else None,
        }


def _debts(account: Account, through: date) -> dict[str, Decimal]:
    """What the patron owes on each receivable account (only what is owed)."""
    rows = (
        JournalLine.objects.filter(
            member_account=account,
            gl_account_id__in=RECEIVABLES,
            entry__posted_on__lte=through,
        )
        .values("gl_account_id")
        .annotate(debit=Sum("debit_amount"), credit=Sum("credit_amount"))
    )
    owed = {}
    for row in rows:
        balance = Decimal(row["debit"] or 0) - Decimal(row["credit"] or 0)
        if balance > 0:
            owed[row["gl_account_id"]] = balance
    return dict(sorted(owed.items()))


@dataclass(frozen=True)
class Holder:
    """One of the people holding a membership, and whether their death is recorded."""

    name: str
    died_on: date | None

    @property
    def died(self) -> bool:
        return self.died_on is not None


def _holders(membership: Membership) -> list[Holder]:
    dead = membership.status == MembershipStatus.DECEASED
    party = Holder(
        membership.party.display_name, (membership.ended_on or date.min) if dead else None
    )
    return [party] + [Holder(j.name, j.died_on) for j in membership.joint_members.all()]


def _already_retired(account: Account) -> set[str]:
    return {
        name.casefold()
        for name in Retirement.objects.filter(
            kind=RetirementKind.ESTATE, payouts__account=account
        ).values_list("deceased", flat=True)
    }


def estate_share(account: Account, deceased: str | None = None) -> tuple[Decimal, str]:
    """The share of each open credit this estate's request retires, and whose death it is
    for (the module docstring's joint rule); refused, naming the rule, where none is due."""
    membership = getattr(account.party, "membership", None)
    if membership is None:
        raise RuleViolation(
            f"account {account.number}: an early retirement is for a deceased member's "
            "estate; this account has no membership",
            field="account",
        )
    holders = _holders(membership)
    if len(holders) == 1:
        if not holders[0].died:
            raise RuleViolation(
                f"account {account.number}: an early retirement is for a deceased patron's "
                "estate; record the death on the membership first",
                field="account",
            )
        return Decimal(1), holders[0].name
    living = [h.name for h in holders if not h.died]
    if rules().joint_estate == "survivor":
        if living:
            raise RuleViolation(
                f"membership {membership.number} is held jointly: its credits stay with the "
                f"surviving joint member{'s' if len(living) > 1 else ''} "
                f"({', '.join(living)}) and are retired on the death of the last (profile: "
                "joint_estate = survivor)",
                field="deceased",
            )
        last = max(holders, key=lambda h: h.died_on or date.min)
        return Decimal(1), last.name
    done = _already_retired(account)
    waiting = [h for h in holders if h.name.casefold() not in done]
    candidates = [h for h in waiting if h.died]
    if deceased:
        candidates = [
            h for h in candidates if h.name.casefold() == " ".join(deceased.split()).casefold()
        ]
        if not candidates:
            raise RuleViolation(
                f"{deceased} is not a holder of membership {membership.number} whose death is "
                "recorded and whose share is not yet retired",
                field="deceased",
            )
    if not candidates:
        raise RuleViolation(
            f"membership {membership.number} is held jointly: no holder's death waits for "
            "its share to be retired; record the death first",
            field="deceased",
        )
    if len(candidates) > 1:
        raise RuleViolation(
            f"name the deceased joint member: {', '.join(h.name for h in candidates)}",
            field="deceased",
        )
    return Decimal(1) / len(waiting), candidates[0].name


@transaction.atomic
def retire_estate(
    *, account: Account, on: date, resolution: str, deceased: str | None = None
) -> EstateResult:
    """Retire ``account``'s open operating credits at present value; see the module."""
    share, whose = estate_share(account, deceased)
    found = rules()
    credits = list(
        CapitalCredit.objects.select_for_update()
        .filter(account=account, allocation__pool=OPERATING, retired_amount__lt=F("amount"))
        .select_related("allocation")
        .order_by("allocation__year", "id")
    )
    if not credits:
        raise RuleViolation(
            f"account {account.number} has no open capital credits", field="account"
        )
    retired = {c.pk: (c.open_amount * share).quantize(CENT, rounding=ROUND_DOWN) for c in credits}
    if sum(retired.values(), Decimal(0)) <= 0:
        raise RuleViolation(
            f"account {account.number}: the deceased's share of its open credits is under a cent",
            field="account",
        )
    by_year: dict[int, Decimal] = defaultdict(Decimal)
    for credit in credits:
        by_year[credit.allocation.year] += retired[credit.pk]
    years = estate_present_value(
        by_year,
        valued_in=on.year,
        rotation_years=found.rotation_years,
        discount_rate=found.estate_discount_rate,
    )
    face = sum(retired.values(), Decimal(0))
    value = sum((row.value for row in years), Decimal(0))
    debts, left = {}, value
    for gl_account, owed in _debts(account, on).items():
        taken = min(owed, left)
        if taken > 0:
            debts[gl_account] = taken
            left -= taken
    retirement = Retirement.objects.create(
        kind=RetirementKind.ESTATE,
        pool=OPERATING,
        method="estate-pv",
        approved_amount=value,
        approved_on=on,
        resolution=(resolution.strip() or f"Estate of account {account.number}")[:300],
        retired_on=on,
        retired_amount=face,
        paid_amount=value,
        deceased=whose[:200],
        created_by=current_actor().label,
    )
    RetiredCredit.objects.bulk_create(
        RetiredCredit(retirement=retirement, credit=c, amount=retired[c.pk]) for c in credits
    )
    for credit in credits:
        credit.retired_amount += retired[credit.pk]
    CapitalCredit.objects.bulk_update(credits, ["retired_amount"])
    check = _estate_check(retirement, account, value, debts, left, on, whose)
    retirement.entry_id = _post(retirement, account, face, value, debts, left)
    retirement.save(update_fields=["entry"])
    return EstateResult(retirement, years, face, value, debts, check)


def _estate_check(
    retirement: Retirement,
    account: Account,
    value: Decimal,
    debts: dict[str, Decimal],
    left: Decimal,
    on: date,
    whose: str,
) -> Payout | None:
    person = patrons([account.pk])[account.pk]
    payee = f"Estate of {whose}"
    return Payout.objects.create(
        retirement=retirement,
        account=account,
        method=PayoutMethod.CHECK,
        retired_amount=value,
        debts_amount=sum(debts.values(), Decimal(0)),
        amount=left,
        check_number=next_check_number() if left > 0 else None,
        payee=payee[:200],
        address=person.address[:400],
        mailed_on=on if left > 0 else None,
        status=PayoutStatus.ISSUED if left > 0 else PayoutStatus.CLAIMED,
        claimed_on=None if left > 0 else on,
        payee_search=search_text(payee, person.number),
    )


def _post(
    retirement: Retirement,
    account: Account,
    face: Decimal,
    value: Decimal,
    debts: dict[str, Decimal],
    left: Decimal,
) -> int | None:
    memo = f"Capital credits retired early for the estate of account {account.number}"
    member = account.number
    lines = [core_entries.debit(PATRONAGE_CAPITAL, Money(face), member_account=member)]
    if face - value:
        lines.append(
            core_entries.credit(RETIREMENT_GAIN, Money(face - value), member_account=member)
        )
    for gl_account, taken in debts.items():
        lines.append(
            core_entries.credit(
                gl_account, Money(taken), member_account=member, memo="Debt deducted"
            )
        )
    if left:
        lines.append(core_entries.credit(CHECKS_PAYABLE, Money(left), memo="Estate check"))
    entry = core_entries.JournalEntry(
        posted_on=retirement.retired_on, memo=memo, lines=tuple(lines)
    )
    (entry_id,) = post_entry_ids(
        [
            Posting(
                entry=entry,
                kind=EntryKind.ADJUSTMENT,
                source_key=f"capital-credits:retirement:{retirement.pk}",
            )
        ]
    )
    return entry_id
