"""The deposit receipt (SEC Rule No. 4, C): name, date of payment, amount, and the terms
governing payment, retention, interest and return of the deposit; English or Spanish, from
the translation catalogue (context ``deposit receipt``)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import pgettext_lazy

from coopcis.apps.billing import bill_text as bt
from coopcis.apps.billing.pdf.document import mailing_lines
from coopcis.apps.billing.pdf.letter import Section, letter_pdf
from coopcis.apps.members.models import Account
from coopcis.catalog.profiles import active_profile

#: The terms printed on the receipt, from the translation catalogue.
TERMS: tuple[Promise, ...] = (
    pgettext_lazy(
        "deposit receipt",
        "Terms. This security deposit is held under the Cooperative's Rule No. 4 and board policy 404. Simple interest at the rate set by the New Mexico Public Regulation Commission accrues yearly to your credit while the Cooperative holds the deposit; it stops on the date the deposit is returned, the date service ends, or the date a refund is mailed to your last known address.",
    ),
    pgettext_lazy(
        "deposit receipt",
        "Return. If you have not been chronically delinquent during the twelve months from the date of deposit, the deposit and interest will be credited to your bill or refunded. If the deposit exceeds your current bill, you may ask for the excess when it is more than $10. Otherwise the deposit is reviewed on each anniversary. When service ends, the deposit is applied to what you owe and the rest refunded.",
    ),
    pgettext_lazy(
        "deposit receipt",
        "Keep this receipt. If it is lost, the Cooperative will still refund the deposit on adequate identification.",
    ),
)

#: Title, then the labels of the member, the account, the date and the amount.
WORDS: tuple[Promise, ...] = (
    pgettext_lazy("deposit receipt", "Security deposit receipt"),
    pgettext_lazy("deposit receipt", "Member"),
    pgettext_lazy("deposit receipt", "Account"),
    pgettext_lazy("deposit receipt", "Date of payment"),
    pgettext_lazy("deposit receipt", "Amount paid"),
)


def receipt_pdf(*, account: Account, paid_on: date, amount: Decimal, language: str) -> bytes:
    """The receipt for ``amount`` paid on ``paid_on``, in ``language`` (EN or ES)."""
    if language not in bt.DJANGO_LANGUAGE:
        raise ValueError(f"no receipt text in {language!r}")
    with translation.override(bt.DJANGO_LANGUAGE[language]):
        title, member, number, when, paid = (str(word) for word in WORDS)
        terms = tuple(str(paragraph) for paragraph in TERMS)
    section = Section(
        title=title,
        facts=(
            (member, account.party.display_name),
            (number, account.number),
            (when, bt.long_date(paid_on, language)),
            (paid, bt.money(amount)),
        ),
        paragraphs=terms,
    )
    return letter_pdf(
        profile=active_profile(),
        address_lines=mailing_lines(account),
        sections=[section],
        title=f"{title} {account.number}",
    )
