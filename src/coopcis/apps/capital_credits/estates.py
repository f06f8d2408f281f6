"""Estates: a deceased patron's credits retired early, at their present value (bylaws art.
VIII sec. 2: retirements "in such manner as the Board ... may determine").

Each year's open credit (the operating pool; a G&T's pools wait for that co-op's cash) is
discounted at the profile's rate for the years until the general retirement, turning
over ``rotation_years``, would reach it (``core/capital_credits/retirement.py``,
``estate_present_value``: each year's value rounded half up to the cent). What the patron
owes the co-op (their receivables, 142.1 and 142.2) is deducted first; the rest is a check
to the estate at the last known address. A joint membership follows the profile:
``survivor`` (the surviving member keeps the credits: nothing is retired) or ``share``
(the deceased's half of each credit, rounded down to the cent, is retired).

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
from coopcis.apps.members.models import Account, MembershipStatus
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


def _check_deceased(account: Account, joint: bool) -> Decimal:
    """The share of each credit retired: 1, or 1/2 for a joint membership's ``share``."""
    membership = getattr(account.party, "membership", None)
    if membership is None or membership.status != MembershipStatus.DECEASED:
        raise RuleViolation(
            f"account {account.number}: an early retirement is for a deceased patron's "
            "estate; record the death on the membership first",
            field="account",
        )
    if not joint:
        return Decimal(1)
    if rules().joint_estate == "survivor":
        raise RuleViolation(
            "a joint membership's credits pass to the surviving member (profile: "
            "joint_estate = survivor): nothing is retired early",
            field="joint",
        )
    return Decimal("0.5")


@transaction.atomic
def retire_estate(
    *, account: Account, on: date, resolution: str, joint: bool = False
) -> EstateResult:
    """Retire ``account``'s open operating credits at present value; see the module."""
    share = _check_deceased(account, joint)
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
        created_by=current_actor().label,
    )
    RetiredCredit.objects.bulk_create(
        RetiredCredit(retirement=retirement, credit=c, amount=retired[c.pk]) for c in credits
    )
    for credit in credits:
        credit.retired_amount += retired[credit.pk]
    CapitalCredit.objects.bulk_update(credits, ["retired_amount"])
    check = _estate_check(retirement, account, value, debts, left, on)
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
) -> Payout | None:
    person = patrons([account.pk])[account.pk]
    payee = f"Estate of {person.name}"
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
