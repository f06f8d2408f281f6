"""The printed receipt for a payment taken at the counter, in the member's language.

It says what was taken (amount, tender, reference), when, by whom and into which drawer,
and what it paid: the charges it was applied to once its batch posted, or that it posts
when the drawer closes. A voided or reversed payment's receipt says so in its title, so
a reprint can never pass for proof of payment.
"""

from __future__ import annotations

from django.utils import timezone

from coopcis.apps.billing import bill_text as bt
from coopcis.apps.billing.pdf.document import mailing_lines
from coopcis.apps.billing.pdf.letter import Section, letter_pdf
from coopcis.apps.payments.models import Payment, PaymentStatus
from coopcis.catalog.profiles import active_profile

WORDS = {
    "EN": {
        "title": "Payment receipt",
        "number": "Receipt number",
        "member": "Member",
        "account": "Account",
        "when": "Received",
        "amount": "Amount paid",
        "tender": "Paid by",
        "reference": "Reference",
        "cashier": "Taken by",
        "drawer": "Drawer",
        "applied": "Applied to",
        "credit": "Left as credit",
        "pending": "Your payment is credited to your account when the office closes "
        "today's drawer.",
        "posted": "Thank you. Keep this receipt as proof of payment.",
        "undone": "This payment was voided or reversed and is not credited to the account.",
        "VOIDED": "VOIDED",
        "REVERSED": "REVERSED",
    },
    "ES": {
        "title": "Recibo de pago",
        "number": "Número de recibo",
        "member": "Socio",
        "account": "Cuenta",
        "when": "Recibido",
        "amount": "Monto pagado",
        "tender": "Forma de pago",
        "reference": "Referencia",
        "cashier": "Recibido por",
        "drawer": "Caja",
        "applied": "Aplicado a",
        "credit": "Saldo a favor",
        "pending": "Su pago se acredita a su cuenta cuando la oficina cierre la caja de hoy.",
        "posted": "Gracias. Guarde este recibo como comprobante de pago.",
        "undone": "Este pago fue anulado o revertido y no se acredita a la cuenta.",
        "VOIDED": "ANULADO",
        "REVERSED": "REVERTIDO",
    },
}


def receipt_pdf(payment: Payment) -> bytes:
    """The receipt of ``payment`` (its account, applications and batch loaded here)."""
    account = payment.account
    words = WORDS.get(account.language, WORDS["EN"])
    language = account.language if account.language in WORDS else "EN"
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
