"""The printed receipt for a payment taken at the counter, in the member's language (the
words from the translation catalogue, context ``payment receipt``).

It says what was taken (amount, tender, reference), when, by whom and into which drawer,
and what it paid: the charges it was applied to once its batch posted, or that it posts
when the drawer closes. A voided or reversed payment's receipt says so in its title, so
a reprint can never pass for proof of payment.
"""

from __future__ import annotations

from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import pgettext_lazy

from coopcis.apps.billing import bill_text as bt
from coopcis.apps.billing.pdf.document import mailing_lines
from coopcis.apps.billing.pdf.letter import Section, letter_pdf
from coopcis.apps.payments.models import Payment, PaymentStatus
from coopcis.catalog.profiles import active_profile

#: The receipt's words, from the translation catalogue (context "payment receipt").
WORDS: dict[str, Promise] = {
    "title": pgettext_lazy("payment receipt", "Payment receipt"),
    "number": pgettext_lazy("payment receipt", "Receipt number"),
    "member": pgettext_lazy("payment receipt", "Member"),
    "account": pgettext_lazy("payment receipt", "Account"),
    "when": pgettext_lazy("payment receipt", "Received"),
    "amount": pgettext_lazy("payment receipt", "Amount paid"),
    "tender": pgettext_lazy("payment receipt", "Paid by"),
    "reference": pgettext_lazy("payment receipt", "Reference"),
    "cashier": pgettext_lazy("payment receipt", "Taken by"),
    "drawer": pgettext_lazy("payment receipt", "Drawer"),
    "applied": pgettext_lazy("payment receipt", "Applied to"),
    "credit": pgettext_lazy("payment receipt", "Left as credit"),
    "pending": pgettext_lazy(
        "payment receipt",
        "Your payment is credited to your account when the office closes today's drawer.",
    ),
    "posted": pgettext_lazy("payment receipt", "Thank you. Keep this receipt as proof of payment."),
    "undone": pgettext_lazy(
        "payment receipt", "This payment was voided or reversed and is not credited to the account."
    ),
    "VOIDED": pgettext_lazy("payment receipt", "VOIDED"),
    "REVERSED": pgettext_lazy("payment receipt", "REVERSED"),
}


def receipt_pdf(payment: Payment) -> bytes:
    """The receipt of ``payment`` (its account, applications and batch loaded here)."""
    account = payment.account
    language = account.language if account.language in bt.DJANGO_LANGUAGE else "EN"
    with translation.override(bt.DJANGO_LANGUAGE[language]):
        words = {key: str(text) for key, text in WORDS.items()}
    received_at = timezone.localtime(payment.received_at)
    facts = [
        (words["number"], str(payment.pk)),
        (words["member"], account.party.display_name),
        (words["account"], account.number),
        (words["when"], f"{bt.long_date(payment.received_on, language)} {received_at:%H:%M}"),
        (words["amount"], bt.money(payment.amount)),
        (words["tender"], payment.get_tender_display()),
    ]
    if payment.reference:
        facts.append((words["reference"], payment.reference))
    facts.append((words["cashier"], payment.taken_by))
    if payment.cashier_batch is not None:
        facts.append((words["drawer"], payment.cashier_batch.drawer))
    applications = payment.applications.filter(released_on__isnull=True).select_related("item")
    for application in applications.order_by("id"):
        facts.append(
            (
                words["applied"],
                f"{application.item.description} {bt.money(application.amount)}"[:70],
            )
        )
    if payment.status == PaymentStatus.POSTED and payment.unapplied_amount:
        facts.append((words["credit"], bt.money(payment.unapplied_amount)))
    title, closing = words["title"], words["posted"]
    if payment.status in (PaymentStatus.VOIDED, PaymentStatus.REVERSED):
        title, closing = f"{title} - {words[payment.status]}", words["undone"]
    elif payment.status == PaymentStatus.PENDING:
        closing = words["pending"]
    section = Section(title=title, facts=tuple(facts), paragraphs=(closing,))
    return letter_pdf(
        profile=active_profile(),
        address_lines=mailing_lines(account),
        sections=[section],
        title=f"{words['title']} {payment.pk} {account.number}",
    )
