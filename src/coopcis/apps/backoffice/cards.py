"""Cards other apps add to the account page: a template and one query function each.

The account page (the shell) knows the cards only by dotted path, so an area's card
lives in its own app and that app never imports the back office. A card's query function
takes the account and returns the template's context; it should run a fixed number of
queries however long the account's history (the account page pins its query count).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.utils.module_loading import import_string

from coopcis.apps.members.models import Account

#: Where a card goes: "top" under the page's title (notes staff must read first), "main"
#: after the bills.
SLOTS = ("top", "main")

#: (element id, slot, template, query function), in the order the page shows them.
ACCOUNT_CARDS: tuple[tuple[str, str, str, str], ...] = (
    ("notes", "top", "members/_notes_card.html", "coopcis.apps.members.notes.notes_card"),
    (
        "life-support",
        "top",
        "outages/_life_support_card.html",
        "coopcis.apps.outages.card.life_support_card",
    ),
    ("usage", "main", "billing/_usage_card.html", "coopcis.apps.billing.usage_card.usage_card"),
    (
        "capital-credits",
        "main",
        "capital_credits/_card.html",
        "coopcis.apps.capital_credits.queries.capital_credits_card",
    ),
    ("loans", "main", "loans/_loans_card.html", "coopcis.apps.loans.card.loans_card"),
    ("rebates", "main", "rebates/_rebates_card.html", "coopcis.apps.rebates.card.rebates_card"),
    (
        "net-metering",
        "main",
        "netmetering/_card.html",
        "coopcis.apps.netmetering.card.net_metering_card",
    ),
)


@dataclass(frozen=True, slots=True)
class Card:
    card_id: str
    slot: str
    template: str
    context: dict[str, Any]


@cache
def _loaders() -> tuple[tuple[str, str, str, Callable[[Account], dict[str, Any]]], ...]:
    return tuple(
        (card_id, slot, template, import_string(path))
        for card_id, slot, template, path in ACCOUNT_CARDS
    )


def account_cards(account: Account) -> dict[str, list[Card]]:
    """Each registered card with its context for ``account``, by slot."""
    cards: dict[str, list[Card]] = {slot: [] for slot in SLOTS}
    for card_id, slot, template, load in _loaders():
        cards[slot].append(Card(card_id, slot, template, load(account)))
    return cards
