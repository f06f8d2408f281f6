"""What a rebate claim must bring and what it may not exceed (OCEC handbook).

"All requests for rebates must be submitted with completed form and receipt of purchase,
as well as any documents supporting the ENERGY STAR certification." A claim is also
held within the program's yearly budget and the most one account may receive in a year
(the co-op's parameters, set each year): one that would overrun either is refused.
Uploaded proof is checked by its content: a PDF, JPEG or PNG of at most 5 MB.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal

from coopcis.core.errors import RuleViolation
from coopcis.core.uploads import LARGEST_FILE as LARGEST_FILE
from coopcis.core.uploads import safe_filename as safe_filename
from coopcis.core.uploads import sniffed_type

HANDBOOK = "OCEC handbook, Energy Efficiency Rebates"
RECEIPT, ENERGY_STAR = "RECEIPT", "ENERGY_STAR"


def file_type(name: str, data: bytes) -> str:
    """The file's content type, from its first bytes; refuse anything else or too big."""
    if not data:
        raise RuleViolation(f"{name}: the file is empty", field="file", code="file_empty")
    if len(data) > LARGEST_FILE:
        raise RuleViolation(
            f"{name}: {len(data):,} bytes, more than the {LARGEST_FILE // (1024 * 1024)} MB "
            "a proof may be",
            field="file",
            code="file_too_big",
        )
    content_type = sniffed_type(data)
    if content_type is None:
        raise RuleViolation(
            f"{name}: proof is a PDF, JPEG or PNG file", field="file", code="file_type"
        )
    return content_type


def missing_proof(kinds: Collection[str], *, energy_star: bool) -> list[str]:
    """The proofs a claim lacks: always the receipt; the ENERGY STAR certification for a
    measure that requires it."""
    missing = []
    if RECEIPT not in kinds:
        missing.append("the receipt of purchase")
    if energy_star and ENERGY_STAR not in kinds:
        missing.append("the ENERGY STAR certification")
    return missing


@dataclass(frozen=True, slots=True)
class Headroom:
    """The year's budget and per-account limit, and what claims already hold of them."""

    year: int
    budget: Decimal
    committed: Decimal
    per_account: Decimal
    account_committed: Decimal


def check_headroom(rebate: Decimal, headroom: Headroom) -> None:
    """Refuse a rebate that would take the program or the account over its limit."""
    left = headroom.budget - headroom.committed
    if rebate > left:
        raise RuleViolation(
            f"a rebate of ${rebate:,.2f} would overrun the {headroom.year} program budget "
            f"(${headroom.committed:,.2f} of ${headroom.budget:,.2f} committed, ${left:,.2f} left)",
            field="budget",
            code="over_budget",
            params={"rebate": rebate, "year": headroom.year, "left": left},
        )
    account_left = headroom.per_account - headroom.account_committed
    if rebate > account_left:
        raise RuleViolation(
            f"a rebate of ${rebate:,.2f} would take the account over its {headroom.year} limit "
            f"of ${headroom.per_account:,.2f} (${headroom.account_committed:,.2f} already claimed)",
            field="budget",
            code="over_account_limit",
            params={
                "rebate": rebate,
                "year": headroom.year,
                "limit": headroom.per_account,
                "claimed": headroom.account_committed,
            },
        )
