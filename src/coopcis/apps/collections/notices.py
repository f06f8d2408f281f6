"""The text of collection notices, in English and Spanish (17.5.410 NMAC; policy 421).

A disconnection notice states the past-due amount, the disconnection date, the member's
rights and responsibilities, and the budget and installment plans; it is printed in both
languages, the member's own first. The words are the project's translation catalogue's
(context ``notice``), the same the member's email and text copies use.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils import translation
from django.utils.translation import pgettext, pgettext_lazy

from coopcis.apps.billing import bill_text as bt
from coopcis.apps.billing.pdf.letter import Section
from coopcis.catalog.profiles import CoOpProfile


@dataclass(frozen=True, slots=True)
class NoticeFacts:
    kind: str
    account_number: str
    member_name: str
    sent_on: date
    amount: Decimal
    pay_by: date | None = None
    disconnect_on: date | None = None
    third_party_name: str = ""


TITLES = {
    "SECOND": pgettext_lazy("notice", "Second notice: your bill is past due"),
    "DISCONNECT": pgettext_lazy("notice", "Notice of disconnection for non-payment"),
    "THIRD_PARTY": pgettext_lazy(
        "notice", "Copy of a disconnection notice (third-party notification)"
    ),
    "FINAL_CONTACT": pgettext_lazy("notice", "Final notice before disconnection"),
}

LABELS = (
    pgettext_lazy("notice", "Member"),
    pgettext_lazy("notice", "Account"),
    pgettext_lazy("notice", "Date of notice"),
    pgettext_lazy("notice", "Past-due amount"),
    pgettext_lazy("notice", "Pay by"),
    pgettext_lazy("notice", "Disconnection date"),
)


def _rights(language: str, profile: CoOpProfile, facts: NoticeFacts) -> tuple[str, ...]:
    amount = bt.money(facts.amount)
    when = bt.long_date(facts.disconnect_on, language) if facts.disconnect_on else ""
    phone = profile.offices[0].phone if profile.offices else ""
    return (
        pgettext(
            "notice",
            "Your account has a past-due balance of {amount}. Unless it is paid, or an "
            "arrangement is made, electric service may be disconnected on or after {when}.",
        ).format(amount=amount, when=when),
        pgettext(
            "notice",
            "Your rights: you may dispute the bill by calling the office; while a dispute is "
            "investigated, service is not disconnected for the disputed amount. You may ask "
            "for an installment agreement or the budget (levelized) billing plan; while you "
            "keep an agreement, service is not disconnected.",
        ),
        pgettext(
            "notice",
            "If a seriously ill person whose life might be endangered lives in your home, "
            "deliver a certificate from a licensed physician, dentist, osteopath or "
            "chiropractor and an affidavit that you lack the means to pay, at least 2 days "
            "before the disconnection date. It is valid for this billing only.",
        ),
        pgettext(
            "notice",
            "Winter moratorium: from November 15 to March 15 members who qualify for LIHEAP "
            "and had no past-due balance on November 15, or who keep a payment agreement, are "
            "not disconnected.",
        ),
        pgettext(
            "notice",
            "Your responsibilities: pay your bills on time and tell the Cooperative if you "
            "cannot. To reconnect, the past-due amount, the reconnect charge and any required "
            "deposit must be paid. Reconnecting service yourself is dangerous and illegal. "
            "Call {coop}: {phone}.",
        ).format(coop=profile.short_name, phone=phone),
    )


def _second(language: str, facts: NoticeFacts) -> tuple[str, ...]:
    amount = bt.money(facts.amount)
    pay_by = bt.long_date(facts.pay_by, language) if facts.pay_by else ""
    return (
        pgettext(
            "notice",
            "We have not received payment of {amount}, now past due. Please pay by {pay_by} "
            "to avoid a disconnection notice. If you cannot pay, call the office to make an "
            "arrangement.",
        ).format(amount=amount, pay_by=pay_by),
    )


def notice_section(language: str, profile: CoOpProfile, facts: NoticeFacts) -> Section:
    """One language's page of a notice."""
    with translation.override(bt.DJANGO_LANGUAGE[language]):
        return _section(language, profile, facts)


def _section(language: str, profile: CoOpProfile, facts: NoticeFacts) -> Section:
    labels = [str(label) for label in LABELS]
    rows = [
        (labels[0], facts.member_name),
        (labels[1], facts.account_number),
        (labels[2], bt.long_date(facts.sent_on, language)),
        (labels[3], bt.money(facts.amount)),
    ]
    if facts.pay_by is not None:
        rows.append((labels[4], bt.long_date(facts.pay_by, language)))
    if facts.disconnect_on is not None:
        rows.append((labels[5], bt.long_date(facts.disconnect_on, language)))
    body = _second(language, facts) if facts.kind == "SECOND" else _rights(language, profile, facts)
    if facts.kind == "THIRD_PARTY":
        intro = pgettext("notice", "{member} named you to receive a copy of this notice.")
        body = (intro.format(member=facts.member_name), *body)
    return Section(title=str(TITLES[facts.kind]), facts=tuple(rows), paragraphs=body)
