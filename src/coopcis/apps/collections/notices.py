"""The text of collection notices, in English and Spanish (17.5.410 NMAC; policy 421).

A disconnection notice states the past-due amount, the disconnection date, the member's
rights and responsibilities, and the budget and installment plans; it is printed in both
languages, the member's own first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

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
    "SECOND": ("Second notice: your bill is past due", "Segundo aviso: su factura está vencida"),
    "DISCONNECT": (
        "Notice of disconnection for non-payment",
        "Aviso de desconexión por falta de pago",
    ),
    "THIRD_PARTY": (
        "Copy of a disconnection notice (third-party notification)",
        "Copia de un aviso de desconexión (notificación a un tercero)",
    ),
    "FINAL_CONTACT": (
        "Final notice before disconnection",
        "Último aviso antes de la desconexión",
    ),
}

LABELS = {
    "EN": (
        "Member",
        "Account",
        "Date of notice",
        "Past-due amount",
        "Pay by",
        "Disconnection date",
    ),
    "ES": (
        "Socio",
        "Cuenta",
        "Fecha del aviso",
        "Monto vencido",
        "Pague a más tardar",
        "Fecha de desconexión",
    ),
}


def _rights(language: str, profile: CoOpProfile, facts: NoticeFacts) -> tuple[str, ...]:
    amount = bt.money(facts.amount)
    when = bt.long_date(facts.disconnect_on, language) if facts.disconnect_on else ""
    if language == "ES":
        return (
            f"Su cuenta tiene un saldo vencido de {amount}. Si no se paga, o no se hace un "
            f"arreglo, el servicio eléctrico podrá ser desconectado el {when} o después.",
            "Sus derechos: puede disputar la factura llamando a la oficina; mientras se "
            "investiga una disputa no se desconecta el servicio por el monto disputado. Puede "
            "pedir un plan de pagos a plazos (convenio de pago) o el plan de pago nivelado "
            "(presupuesto); mientras cumpla un convenio no se desconecta el servicio.",
            "Si en su hogar vive una persona gravemente enferma cuya vida podría peligrar, "
            "entregue un certificado de un médico, dentista, osteópata o quiropráctico con "
            "licencia y una declaración jurada de que no tiene los medios para pagar, al menos "
            "2 días antes de la fecha de desconexión. Vale solo para esta facturación.",
            "Moratoria de invierno: del 15 de noviembre al 15 de marzo no se desconecta a los "
            "socios que califican para LIHEAP y no tenían saldo vencido el 15 de noviembre, o "
            "que cumplen un convenio de pago.",
            "Sus responsabilidades: pagar sus facturas a tiempo y avisar a la Cooperativa si no "
            "puede hacerlo. Para reconectar se debe pagar el monto vencido, el cargo de "
            "reconexión y, si se requiere, un depósito. Reconectar el servicio usted mismo es "
            f"peligroso e ilegal. Llame a {profile.short_name}: "
            f"{profile.offices[0].phone if profile.offices else ''}.",
        )
    return (
        f"Your account has a past-due balance of {amount}. Unless it is paid, or an arrangement "
        f"is made, electric service may be disconnected on or after {when}.",
        "Your rights: you may dispute the bill by calling the office; while a dispute is "
        "investigated, service is not disconnected for the disputed amount. You may ask for an "
        "installment agreement or the budget (levelized) billing plan; while you keep an "
        "agreement, service is not disconnected.",
        "If a seriously ill person whose life might be endangered lives in your home, deliver a "
        "certificate from a licensed physician, dentist, osteopath or chiropractor and an "
        "affidavit that you lack the means to pay, at least 2 days before the disconnection "
        "date. It is valid for this billing only.",
        "Winter moratorium: from November 15 to March 15 members who qualify for LIHEAP and had "
        "no past-due balance on November 15, or who keep a payment agreement, are not "
        "disconnected.",
        "Your responsibilities: pay your bills on time and tell the Cooperative if you cannot. "
        "To reconnect, the past-due amount, the reconnect charge and any required deposit must "
        "be paid. Reconnecting service yourself is dangerous and illegal. Call "
        f"{profile.short_name}: {profile.offices[0].phone if profile.offices else ''}.",
    )


def _second(language: str, facts: NoticeFacts) -> tuple[str, ...]:
    amount = bt.money(facts.amount)
    pay_by = bt.long_date(facts.pay_by, language) if facts.pay_by else ""
    if language == "ES":
        return (
            f"No hemos recibido el pago de {amount} que venció. Pague a más tardar el {pay_by} "
            "para evitar un aviso de desconexión. Si no puede pagar, llame a la oficina para "
            "hacer un arreglo de pago.",
        )
    return (
        f"We have not received payment of {amount}, now past due. Please pay by {pay_by} to "
        "avoid a disconnection notice. If you cannot pay, call the office to make an "
        "arrangement.",
    )


def notice_section(language: str, profile: CoOpProfile, facts: NoticeFacts) -> Section:
    """One language's page of a notice."""
    english, spanish = TITLES[facts.kind]
    labels = LABELS[language]
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
        intro = (
            f"{facts.member_name} le nombró para recibir copia de este aviso."
            if language == "ES"
            else f"{facts.member_name} named you to receive a copy of this notice."
        )
        body = (intro, *body)
    return Section(
        title=spanish if language == "ES" else english, facts=tuple(rows), paragraphs=body
    )
