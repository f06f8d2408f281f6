"""Every word printed on a bill (and on the account summary statement), in English and in
Spanish, from the project's translation catalogue (``src/coopcis/locale``, context
``bill``): the one the portal, the emails and the texts use, so one translation serves
the screen, the mail and the paper (docs/domain/notifications.md).

Accounts choose English or Spanish (``Account.language``); the Public Regulation
Commission's rule (17.5.410 NMAC) has the co-op write to members in both, so the
Spanish is the Spanish a New Mexico co-op prints, not a word-for-word gloss.
Numbers and money keep the US form ($1,234.56) in both languages, as they do on
bills in New Mexico.

Charge lines come from the rating engine in the tariff's English words
("Energy, first 500,000 kWh"); :func:`describe_line` puts the known phrases into
Spanish. The clause a line cites (``BillLineItem.source``) is a citation of the
filed tariff and stays as filed, less the catalog's references to its own source files
(:func:`member_clause`); the rate schedule it belongs to is named once, by name and
effective date, as a member asks the office for it.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from functools import cache

from django.utils import translation
from django.utils.dates import MONTHS as DJANGO_MONTHS
from django.utils.dates import MONTHS_3
from django.utils.functional import Promise
from django.utils.translation import pgettext_lazy

from coopcis.core.money import Money, round_half_up

ENGLISH = "EN"
SPANISH = "ES"
LANGUAGES = (ENGLISH, SPANISH)
DASH = "\u2013"  # en dash
#: Account.language -> the language the catalogue is read in.
DJANGO_LANGUAGE = {ENGLISH: "en", SPANISH: "es"}

TEXT: dict[str, Promise] = {
    "title": pgettext_lazy("bill", "Electric Bill"),
    "account_number": pgettext_lazy("bill", "Account number"),
    "bill_number": pgettext_lazy("bill", "Bill number"),
    "bill_date": pgettext_lazy("bill", "Bill date"),
    "due_date": pgettext_lazy("bill", "Due date"),
    "amount_due": pgettext_lazy("bill", "Amount due"),
    "service_address": pgettext_lazy("bill", "Service address"),
    "service_period": pgettext_lazy("bill", "Service period"),
    "service_point": pgettext_lazy("bill", "Service point"),
    "rate_schedule": pgettext_lazy("bill", "Rate schedule"),
    "meter_reads": pgettext_lazy("bill", "Meter reads"),
    "meter": pgettext_lazy("bill", "Meter"),
    "previous_read": pgettext_lazy("bill", "Previous read"),
    "current_read": pgettext_lazy("bill", "Current read"),
    "multiplier": pgettext_lazy("bill", "Multiplier"),
    "energy_used": pgettext_lazy("bill", "kWh used"),
    "demand": pgettext_lazy("bill", "Demand kW"),
    "power_factor": pgettext_lazy("bill", "Power factor"),
    "days": pgettext_lazy("bill", "Days"),
    "average_per_day": pgettext_lazy("bill", "Average kWh per day"),
    "actual": pgettext_lazy("bill", "ACTUAL"),
    "estimated": pgettext_lazy("bill", "ESTIMATED"),
    "unmetered": pgettext_lazy("bill", "Unmetered service: no meter to read."),
    "charges": pgettext_lazy("bill", "Charges for this period"),
    "description": pgettext_lazy("bill", "Description"),
    "quantity": pgettext_lazy("bill", "Quantity"),
    "rate": pgettext_lazy("bill", "Rate"),
    "amount": pgettext_lazy("bill", "Amount"),
    "clause": pgettext_lazy("bill", "Clause"),
    "tariff_sheet": pgettext_lazy(
        "bill", "Rate schedule: {name}, effective {date}. Ask any office for a copy."
    ),
    "total_current_charges": pgettext_lazy("bill", "Total current charges"),
    "account_summary": pgettext_lazy("bill", "Account summary"),
    "previous_balance": pgettext_lazy("bill", "Previous balance"),
    "payments": pgettext_lazy("bill", "Payments received, thank you"),
    "other_charges": pgettext_lazy("bill", "Other charges, credits and locations"),
    "current_charges": pgettext_lazy("bill", "Current charges"),
    "usage_history": pgettext_lazy("bill", "Your use over 13 months (kWh)"),
    "no_usage": pgettext_lazy("bill", "No metered use to chart."),
    "outage_title": pgettext_lazy("bill", "To report an outage"),
    "outage_text": pgettext_lazy(
        "bill",
        "Call {phone}, 24 hours a day. Have your name, account or meter number and address ready.",
    ),
    "ways_to_pay_title": pgettext_lazy("bill", "Ways to pay"),
    "pay_mail": pgettext_lazy(
        "bill", "By mail: check, money order or cashier's check, with the stub below."
    ),
    "pay_office": pgettext_lazy("bill", "At our offices: cash, check, money order or card."),
    "pay_drop_box": pgettext_lazy("bill", "Office drop box: checks only."),
    "pay_online": pgettext_lazy("bill", "Online, by card or e-check, at {portal}."),
    "pay_phone": pgettext_lazy("bill", "By phone, 24 hours: card or e-check."),
    "pay_kiosk": pgettext_lazy(
        "bill", "Payment kiosks: cash, card or check (have your account number)."
    ),
    "pay_draft": pgettext_lazy(
        "bill",
        "Automatic payment by bank draft (the 3rd or the 25th) or by card: sign up at {portal} or ask us for the form.",
    ),
    "net_title": pgettext_lazy("bill", "Net metering (SEC policy 425)"),
    "net_energy": pgettext_lazy(
        "bill", "Delivered {delivered} kWh, received {received} kWh: net {net} kWh."
    ),
    "net_excess": pgettext_lazy(
        "bill",
        "Excess {excess} kWh credited at the avoided cost of ${rate}/kWh: {credit} to your net-metering credit (not on this bill).",
    ),
    "net_bank": pgettext_lazy("bill", "Credit bank: {before} before, {after} now."),
    "net_paid": pgettext_lazy(
        "bill", "Your credit of {paid} is over {threshold} and is paid by check."
    ),
    "net_paid_credit": pgettext_lazy(
        "bill", "Your credit of {paid} is over {threshold} and is paid as a credit on your bill."
    ),
    "arrangement": pgettext_lazy(
        "bill",
        "Can't pay in full by the due date? Before then, ask for a payment arrangement at {portal} or call us.",
    ),
    "autopay": pgettext_lazy(
        "bill",
        "Automatic payment: the amount due will be drafted from your bank account on the draft day. Please do not pay it again.",
    ),
    "estimated_notice": pgettext_lazy(
        "bill",
        "This bill uses an estimated meter read. It will be corrected when the meter is next read.",
    ),
    "payable_within": pgettext_lazy("bill", "Payable within {days} days of the bill date."),
    "stub_return": pgettext_lazy("bill", "Please return this portion with your payment."),
    "amount_enclosed": pgettext_lazy("bill", "Amount enclosed"),
    "payable_to": pgettext_lazy("bill", "Make checks payable to {name}."),
    "write_account": pgettext_lazy("bill", "Write your account number on your check."),
    "page": pgettext_lazy("bill", "Page {page} of {pages}"),
    "continued": pgettext_lazy("bill", "continued"),
    "held": pgettext_lazy("bill", "HELD FOR REVIEW - NOT MAILED"),
    "cancelled": pgettext_lazy("bill", "CANCELLED - NOT VALID FOR PAYMENT"),
    "reprint": pgettext_lazy("bill", "COPY - reprinted {day}"),
    "credit_balance": pgettext_lazy("bill", "Credit balance: nothing to pay."),
    "offices": pgettext_lazy("bill", "Offices"),
    "outage_line": pgettext_lazy("bill", "Outages, 24 hours:"),
    "phone": pgettext_lazy("bill", "Phone"),
    "summary_title": pgettext_lazy("bill", "Account Summary Statement"),
    "statement_reference": pgettext_lazy("bill", "Statement reference"),
    "statement_date": pgettext_lazy("bill", "Statement date"),
    "location_bills": pgettext_lazy("bill", "This month's bills for your service locations"),
    "location": pgettext_lazy("bill", "Service location"),
    "statement_total": pgettext_lazy("bill", "Total of these bills"),
    "other_activity": pgettext_lazy("bill", "Previous balance, payments and other charges"),
    "amount_due_as_of": pgettext_lazy("bill", "Amount due as of {date}"),
    "summary_note": pgettext_lazy(
        "bill",
        "Each service location is billed separately, and its own bill shows its charges and meter reads. One payment of this statement's amount due, with the stub below, pays them all.",
    ),
}

#: Units whose word is printed after a quantity ("2 fixtures"); the rest print bare.
UNITS: dict[str, Promise] = {"fixture": pgettext_lazy("bill unit", "fixtures")}


#: Tariff phrases put into Spanish, longest first so "Renewable Energy ..." is not
#: taken for "Energy"; each English phrase is its own entry in the catalogue.
_TARIFF_PHRASES: tuple[tuple[re.Pattern[str], Promise], ...] = tuple(
    (re.compile(pattern), phrase)
    for pattern, phrase in (
        (r"Fuel and purchased power cost adjustment", pgettext_lazy("tariff phrase", 'Fuel and purchased power cost adjustment')),
        (r"Renewable Energy and Conservation Fee", pgettext_lazy("tariff phrase", 'Renewable Energy and Conservation Fee')),
        (r"Debt cost adjustment", pgettext_lazy("tariff phrase", 'Debt cost adjustment')),
        (r"Minimum bill adjustment", pgettext_lazy("tariff phrase", 'Minimum bill adjustment')),
        (r"Base energy cost", pgettext_lazy("tariff phrase", 'Base energy cost')),
        (r"Customer charge", pgettext_lazy("tariff phrase", 'Customer charge')),
        (r"System charge", pgettext_lazy("tariff phrase", 'System charge')),
        (r"Street lighting", pgettext_lazy("tariff phrase", 'Street lighting')),
        (r"Gross receipts tax", pgettext_lazy("tariff phrase", 'Gross receipts tax')),
        (r"Percentage fee", pgettext_lazy("tariff phrase", 'Percentage fee')),
        (r"^Energy\b", pgettext_lazy("tariff phrase", 'Energy')),
        (r"^Demand\b", pgettext_lazy("tariff phrase", 'Demand')),
        (r"\bNCP billing kW\b", pgettext_lazy("tariff phrase", 'NCP billing kW')),
        (r"\ball kWh\b", pgettext_lazy("tariff phrase", 'all kWh')),
        (r"\bfirst\b", pgettext_lazy("tariff phrase", 'first')),
        (r"\bnext\b", pgettext_lazy("tariff phrase", 'next')),
        (r"\bover\b", pgettext_lazy("tariff phrase", 'over')),
        (r"\babove\b", pgettext_lazy("tariff phrase", 'above')),
        (r"\bon-peak\b", pgettext_lazy("tariff phrase", 'on-peak')),
        (r"\boff-peak\b", pgettext_lazy("tariff phrase", 'off-peak')),
        (r"\bper fixture\b", pgettext_lazy("tariff phrase", 'per fixture')),
        (r"\bwatt\b", pgettext_lazy("tariff phrase", 'watt')),
        (r"\bmeasured\b", pgettext_lazy("tariff phrase", 'measured')),
        (r"\bat PF\b", pgettext_lazy("tariff phrase", 'at PF')),
        (r"\blosses\b", pgettext_lazy("tariff phrase", 'losses')),
        (r"\bdays at rates effective\b", pgettext_lazy("tariff phrase", 'days at rates effective')),
    )
)  # fmt: skip


def _django_language(language: str) -> str:
    try:
        return DJANGO_LANGUAGE[language]
    except KeyError:
        raise ValueError(f"no bill text in language {language!r}") from None


@cache
def text(language: str) -> dict[str, str]:
    """The bill's words in ``language`` (EN or ES); anything else is a programming error.
    Read once per process: the catalogue does not change while it runs."""
    with translation.override(_django_language(language)):
        return {key: str(words) for key, words in TEXT.items()}


@cache
def _months(language: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Month names and their chart abbreviations, from Django's catalogue: ``March``,
    ``Mar`` / ``marzo``, ``mar``."""
    with translation.override(_django_language(language)):
        names = tuple(str(DJANGO_MONTHS[month]) for month in range(1, 13))
        short = tuple(str(MONTHS_3[month]) for month in range(1, 13))
    if language == ENGLISH:
        short = tuple(abbreviation.title() for abbreviation in short)
    return names, short


@cache
def _tariff_phrases(language: str) -> tuple[tuple[re.Pattern[str], str], ...]:
    with translation.override(_django_language(language)):
        return tuple((pattern, str(phrase)) for pattern, phrase in _TARIFF_PHRASES)


#: "(seed 001)": where the catalog found the clause, which means nothing to a member.
SEED_REFERENCE = re.compile(r"\s*\(seed \d+\)")


def member_clause(source: str) -> str:
    """The clause as printed: ``"...CUSTOMER CHARGE $30.00 (seed 001)"`` ->
    ``"...CUSTOMER CHARGE $30.00"``."""
    return SEED_REFERENCE.sub("", source).strip()


def describe_line(description: str, language: str) -> str:
    """A charge line's description as printed: the tariff's words, in Spanish if asked."""
    if language != SPANISH:
        return description
    for pattern, replacement in _tariff_phrases(language):
        description = pattern.sub(lambda _match, words=replacement: words, description)
    return description


def unit_label(unit: str, language: str) -> str:
    """The word after a quantity: ``fixtures`` / ``luminarias``; none for ``period`` or ``$``."""
    if unit in ("period", "$"):
        return ""
    words = UNITS.get(unit)
    if words is None:
        return unit
    with translation.override(_django_language(language)):
        return str(words)


def long_date(day: date, language: str) -> str:
    """``March 5, 2026`` / ``5 de marzo de 2026``."""
    month = _months(language)[0][day.month - 1]
    if language == SPANISH:
        return f"{day.day} de {month} de {day.year}"
    return f"{month} {day.day}, {day.year}"


def short_date(day: date, language: str) -> str:
    """``Mar 5, 2026`` / ``5 mar 2026`` for tables."""
    month = _months(language)[1][day.month - 1]
    if language == SPANISH:
        return f"{day.day} {month} {day.year}"
    return f"{month} {day.day}, {day.year}"


def date_range(start: date, end: date, language: str) -> str:
    """``Feb 5 - Mar 5, 2026`` / ``5 feb - 5 mar 2026`` (en dash) (the year once if it is the same)."""
    if start.year != end.year:
        return f"{short_date(start, language)} {DASH} {short_date(end, language)}"
    month = _months(language)[1]
    if language == SPANISH:
        return f"{start.day} {month[start.month - 1]} {DASH} {end.day} {month[end.month - 1]} {end.year}"
    return (
        f"{month[start.month - 1]} {start.day} {DASH} {month[end.month - 1]} {end.day}, {end.year}"
    )


def month_label(period: str, language: str) -> str:
    """``2026-03`` -> ``Mar`` / ``mar`` (a chart label)."""
    return _months(language)[1][int(period[5:7]) - 1]


def money(amount: Decimal | Money) -> str:
    """``$1,234.50`` / ``-$3.00`` from a Decimal (never a float)."""
    value = amount if isinstance(amount, Money) else Money.of(amount)
    return value.formatted()


def number(value: Decimal, places: int | None = None) -> str:
    """``1,234.5`` with thousands separators; ``places`` rounds half up, else exact."""
    if places is not None:
        value = round_half_up(value, Decimal(1).scaleb(-places))
        return f"{value:,.{places}f}"
    normalized = value.normalize()
    if normalized == normalized.to_integral():
        return f"{normalized.to_integral():,f}"
    return f"{normalized:,f}"
