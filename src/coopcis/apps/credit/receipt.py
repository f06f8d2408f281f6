"""The deposit receipt (SEC Rule No. 4, C): name, date of payment, amount, and the terms
governing payment, retention, interest and return of the deposit; English or Spanish."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from coopcis.apps.billing import bill_text as bt
from coopcis.apps.billing.pdf.document import mailing_lines
from coopcis.apps.billing.pdf.letter import Section, letter_pdf
from coopcis.apps.members.models import Account
from coopcis.catalog.profiles import active_profile

TERMS = {
    "EN": (
        "Terms. This security deposit is held under the Cooperative's Rule No. 4 and board "
        "policy 404. Simple interest at the rate set by the New Mexico Public Regulation "
        "Commission accrues yearly to your credit while the Cooperative holds the deposit; it "
        "stops on the date the deposit is returned, the date service ends, or the date a refund "
        "is mailed to your last known address.",
        "Return. If you have not been chronically delinquent during the twelve months from the "
        "date of deposit, the deposit and interest will be credited to your bill or refunded. If "
        "the deposit exceeds your current bill, you may ask for the excess when it is more than "
        "$10. Otherwise the deposit is reviewed on each anniversary. When service ends, the "
        "deposit is applied to what you owe and the rest refunded.",
        "Keep this receipt. If it is lost, the Cooperative will still refund the deposit on "
        "adequate identification.",
    ),
    "ES": (
        "Condiciones. Este depósito de garantía se mantiene conforme a la Regla No. 4 y la "
        "política 404 de la Cooperativa. Se acumula cada año a su favor un interés simple a la "
        "tasa fijada por la Comisión de Regulación Pública de Nuevo México mientras la "
        "Cooperativa retenga el depósito; deja de acumularse en la fecha en que se devuelve el "
        "depósito, en la fecha en que termina el servicio o en la fecha en que se envía el "
        "reembolso a su última dirección conocida.",
        "Devolución. Si usted no ha sido moroso crónico durante los doce meses desde la fecha "
        "del depósito, el depósito y los intereses se acreditarán a su factura o se le "
        "reembolsarán. Si el depósito es mayor que su factura actual, puede pedir el excedente "
        "cuando sea de más de $10. De lo contrario, el depósito se revisa en cada aniversario. "
        "Al terminar el servicio, el depósito se aplica a lo que usted deba y el resto se "
        "reembolsa.",
        "Guarde este recibo. Si lo pierde, la Cooperativa le reembolsará el depósito con una "
        "identificación adecuada.",
    ),
}

WORDS = {
    "EN": ("Security deposit receipt", "Member", "Account", "Date of payment", "Amount paid"),
    "ES": ("Recibo de depósito de garantía", "Socio", "Cuenta", "Fecha de pago", "Monto pagado"),
}


def receipt_pdf(*, account: Account, paid_on: date, amount: Decimal, language: str) -> bytes:
    """The receipt for ``amount`` paid on ``paid_on``, in ``language`` (EN or ES)."""
    if language not in WORDS:
        raise ValueError(f"no receipt text in {language!r}")
    title, member, number, when, paid = WORDS[language]
    section = Section(
        title=title,
        facts=(
            (member, account.party.display_name),
            (number, account.number),
            (when, bt.long_date(paid_on, language)),
            (paid, bt.money(amount)),
        ),
        paragraphs=TERMS[language],
    )
    return letter_pdf(
        profile=active_profile(),
        address_lines=mailing_lines(account),
        sections=[section],
        title=f"{title} {account.number}",
    )
