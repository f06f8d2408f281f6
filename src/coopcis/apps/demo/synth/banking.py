"""ABA routing numbers for the demo's bank-draft mandates.

A routing number is nine digits: a Federal Reserve prefix (01-12 for banks, 21-32 for
thrifts and credit unions, i.e. the bank district plus 20), a Federal Reserve office
digit, four institution digits and a check digit chosen so that
3(d1+d4+d7) + 7(d2+d5+d8) + (d3+d6+d9) is a multiple of 10. New Mexico is served
from the Dallas Fed's El Paso branch (prefix 1122) in the south and the Kansas City
Fed's Denver branch (1070) in the north, so the demo's banks use those prefixes.
"""

from __future__ import annotations

import random

ROUTING_WEIGHTS = (3, 7, 1, 3, 7, 1, 3, 7, 1)
BANK_PREFIXES = ("1122", "1070")
CREDIT_UNION_PREFIXES = ("3122", "3070")


def routing_check_digit(first_eight: str) -> str:
    """The ninth digit that makes ``first_eight`` a valid routing number."""
    if len(first_eight) != 8 or not first_eight.isdigit():
        raise ValueError(f"need eight digits, got {first_eight!r}")
    total = sum(int(d) * w for d, w in zip(first_eight, ROUTING_WEIGHTS, strict=False))
    return str((10 - total % 10) % 10)


def is_valid_routing_number(number: str) -> bool:
    """Nine digits, a Federal Reserve prefix 01-12 or 21-32, and a correct check digit."""
    if len(number) != 9 or not number.isdigit():
        return False
    prefix = int(number[:2])
    if not (1 <= prefix <= 12 or 21 <= prefix <= 32):
        return False
    return sum(int(d) * w for d, w in zip(number, ROUTING_WEIGHTS, strict=True)) % 10 == 0


def make_routing_number(rng: random.Random, *, credit_union: bool) -> str:
    """A valid routing number under one of New Mexico's Federal Reserve prefixes."""
    prefix = rng.choice(CREDIT_UNION_PREFIXES if credit_union else BANK_PREFIXES)
    first_eight = prefix + f"{rng.randrange(10_000):04d}"
    return first_eight + routing_check_digit(first_eight)
