"""Every word printed on a bill (and on the account summary statement), in English and in
Spanish, from one catalogue.

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

from coopcis.core.money import Money, round_half_up

ENGLISH = "EN"
SPANISH = "ES"
LANGUAGES = (ENGLISH, SPANISH)
DASH = "\u2013"  # en dash

TEXT: dict[str, dict[str, str]] = {
    ENGLISH: {
        "title": "Electric Bill",
        "account_number": "Account number",
        "bill_number": "Bill number",
        "bill_date": "Bill date",
        "due_date": "Due date",
        "amount_due": "Amount due",
        "service_address": "Service address",
        "service_period": "Service period",
        "service_point": "Service point",
        "rate_schedule": "Rate schedule",
        "meter_reads": "Meter reads",
        "meter": "Meter",
        "previous_read": "Previous read",
        "current_read": "Current read",
        "multiplier": "Multiplier",
        "energy_used": "kWh used",
        "demand": "Demand kW",
        "power_factor": "Power factor",
        "days": "Days",
        "average_per_day": "Average kWh per day",
        "actual": "ACTUAL",
        "estimated": "ESTIMATED",
        "unmetered": "Unmetered service: no meter to read.",
        "charges": "Charges for this period",
        "description": "Description",
        "quantity": "Quantity",
        "rate": "Rate",
        "amount": "Amount",
        "clause": "Clause",
        "tariff_sheet": "Rate schedule: {name}, effective {date}. Ask any office for a copy.",
        "total_current_charges": "Total current charges",
        "account_summary": "Account summary",
        "previous_balance": "Previous balance",
        "payments": "Payments received, thank you",
        "other_charges": "Other charges, credits and locations",
        "current_charges": "Current charges",
        "usage_history": "Your use over 13 months (kWh)",
        "no_usage": "No metered use to chart.",
        "outage_title": "To report an outage",
        "outage_text": "Call {phone}, 24 hours a day. Have your name, account or meter "
        "number and address ready.",
        "ways_to_pay_title": "Ways to pay",
        "pay_mail": "By mail: check, money order or cashier's check, with the stub below.",
        "pay_office": "At our offices: cash, check, money order or card.",
        "pay_drop_box": "Office drop box: checks only.",
        "pay_online": "Online, by card or e-check, at {portal}.",
        "pay_phone": "By phone, 24 hours: card or e-check.",
        "pay_kiosk": "Payment kiosks: cash, card or check (have your account number).",
        "pay_draft": "Automatic payment by bank draft (the 3rd or the 25th) or by card: "
        "sign up at {portal} or ask us for the form.",
        "net_title": "Net metering (SEC policy 425)",
        "net_energy": "Delivered {delivered} kWh, received {received} kWh: net {net} kWh.",
        "net_excess": "Excess {excess} kWh credited at the avoided cost of ${rate}/kWh: "
        "{credit} to your net-metering credit (not on this bill).",
        "net_bank": "Credit bank: {before} before, {after} now.",
        "net_paid": "Your credit of {paid} is over $50.00 and is paid by check.",
        "arrangement": "Can't pay in full by the due date? Before then, ask for a payment "
        "arrangement at {portal} or call us.",
        "autopay": "Automatic payment: the amount due will be drafted from your bank "
        "account on the draft day. Please do not pay it again.",
        "estimated_notice": "This bill uses an estimated meter read. It will be corrected "
        "when the meter is next read.",
        "payable_within": "Payable within {days} days of the bill date.",
        "stub_return": "Please return this portion with your payment.",
        "amount_enclosed": "Amount enclosed",
        "payable_to": "Make checks payable to {name}.",
        "write_account": "Write your account number on your check.",
        "page": "Page {page} of {pages}",
        "continued": "continued",
        "held": "HELD FOR REVIEW - NOT MAILED",
        "cancelled": "CANCELLED - NOT VALID FOR PAYMENT",
        "reprint": "COPY - reprinted {day}",
        "credit_balance": "Credit balance: nothing to pay.",
        "offices": "Offices",
        "outage_line": "Outages, 24 hours:",
        "phone": "Phone",
        # the account summary statement (SEC policy 408): several locations, one payment
        "summary_title": "Account Summary Statement",
        "statement_reference": "Statement reference",
        "statement_date": "Statement date",
        "location_bills": "This month's bills for your service locations",
        "location": "Service location",
        "statement_total": "Total of these bills",
        "other_activity": "Previous balance, payments and other charges",
        "amount_due_as_of": "Amount due as of {date}",
        "summary_note": "Each service location is billed separately, and its own bill shows "
        "its charges and meter reads. One payment of this statement's amount due, with the "
        "stub below, pays them all.",
    },
    SPANISH: {
        "title": "Factura de electricidad",
        "account_number": "Número de cuenta",
        "bill_number": "Número de factura",
        "bill_date": "Fecha de factura",
        "due_date": "Fecha de vencimiento",
        "amount_due": "Cantidad a pagar",
        "service_address": "Dirección del servicio",
        "service_period": "Período de servicio",
        "service_point": "Punto de servicio",
        "rate_schedule": "Tarifa",
        "meter_reads": "Lecturas del medidor",
        "meter": "Medidor",
        "previous_read": "Lectura anterior",
        "current_read": "Lectura actual",
        "multiplier": "Multiplicador",
        "energy_used": "kWh consumidos",
        "demand": "Demanda kW",
        "power_factor": "Factor de potencia",
        "days": "Días",
        "average_per_day": "Promedio de kWh por día",
        "actual": "REAL",
        "estimated": "ESTIMADA",
        "unmetered": "Servicio sin medidor: no hay lectura.",
        "charges": "Cargos de este período",
        "description": "Descripción",
        "quantity": "Cantidad",
        "rate": "Precio",
        "amount": "Importe",
        "clause": "Cláusula",
        "tariff_sheet": "Tarifa: {name}, vigente desde el {date}. Pida una copia en "
        "cualquier oficina.",
        "total_current_charges": "Total de cargos actuales",
        "account_summary": "Resumen de la cuenta",
        "previous_balance": "Saldo anterior",
        "payments": "Pagos recibidos, gracias",
        "other_charges": "Otros cargos, créditos y ubicaciones",
        "current_charges": "Cargos actuales",
        "usage_history": "Su consumo en 13 meses (kWh)",
        "no_usage": "No hay consumo medido que mostrar.",
        "outage_title": "Para reportar un apagón",
        "outage_text": "Llame al {phone}, las 24 horas del día. Tenga a la mano su nombre, "
        "su número de cuenta o de medidor y su dirección.",
        "ways_to_pay_title": "Formas de pago",
        "pay_mail": "Por correo: cheque, giro postal o cheque de caja, con el talón de abajo.",
        "pay_office": "En nuestras oficinas: efectivo, cheque, giro postal o tarjeta.",
        "pay_drop_box": "Buzón de la oficina: solo cheques.",
        "pay_online": "En línea, con tarjeta o cheque electrónico, en {portal}.",
        "pay_phone": "Por teléfono, las 24 horas: tarjeta o cheque electrónico.",
        "pay_kiosk": "Quioscos de pago: efectivo, tarjeta o cheque (tenga a la mano su "
        "número de cuenta).",
        "pay_draft": "Pago automático con cargo a su cuenta bancaria (el día 3 o el 25) o "
        "con tarjeta: inscríbase en {portal} o pídanos el formulario.",
        "net_title": "Medición neta (política 425 de SEC)",
        "net_energy": "Entregada {delivered} kWh, recibida {received} kWh: neta {net} kWh.",
        "net_excess": "Excedente de {excess} kWh acreditado al costo evitado de ${rate}/kWh: "
        "{credit} a su crédito de medición neta (no en esta factura).",
        "net_bank": "Crédito acumulado: {before} antes, {after} ahora.",
        "net_paid": "Su crédito de {paid} supera $50.00 y se le paga con cheque.",
        "arrangement": "¿No puede pagar todo antes de la fecha de vencimiento? Antes de esa "
        "fecha, pida un arreglo de pago en {portal} o llámenos.",
        "autopay": "Pago automático: la cantidad a pagar se cobrará de su cuenta bancaria "
        "el día del cargo. Por favor no la pague otra vez.",
        "estimated_notice": "Esta factura usa una lectura estimada del medidor. Se "
        "corregirá con la próxima lectura del medidor.",
        "payable_within": "Se paga dentro de {days} días a partir de la fecha de la factura.",
        "stub_return": "Por favor devuelva esta parte con su pago.",
        "amount_enclosed": "Cantidad incluida",
        "payable_to": "Haga su cheque a nombre de {name}.",
        "write_account": "Escriba su número de cuenta en su cheque.",
        "page": "Página {page} de {pages}",
        "continued": "continuación",
        "held": "RETENIDA PARA REVISIÓN - NO ENVIADA",
        "cancelled": "CANCELADA - NO VÁLIDA PARA PAGO",
        "reprint": "COPIA - reimpresa el {day}",
        "credit_balance": "Saldo a su favor: no hay nada que pagar.",
        "offices": "Oficinas",
        "outage_line": "Apagones, las 24 horas:",
        "phone": "Teléfono",
        "summary_title": "Estado de cuenta resumido",
        "statement_reference": "Referencia del estado de cuenta",
        "statement_date": "Fecha del estado de cuenta",
        "location_bills": "Facturas de este mes de sus lugares de servicio",
        "location": "Lugar de servicio",
        "statement_total": "Total de estas facturas",
        "other_activity": "Saldo anterior, pagos y otros cargos",
        "amount_due_as_of": "Cantidad a pagar al {date}",
        "summary_note": "Cada lugar de servicio se factura por separado, y su propia factura "
        "muestra sus cargos y lecturas del medidor. Un solo pago de la cantidad a pagar de "
        "este estado de cuenta, con el talón de abajo, las paga todas.",
    },
}

MONTHS: dict[str, tuple[str, ...]] = {
    ENGLISH: (
        "January", "February", "March", "April", "May", "June", "July", "August",
        "September", "October", "November", "December",
    ),
    SPANISH: (
        "enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
        "septiembre", "octubre", "noviembre", "diciembre",
    ),
}  # fmt: skip

#: Month labels under the usage chart's bars.
MONTH_ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    ENGLISH: ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    SPANISH: ("ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic"),
}

UNITS: dict[str, dict[str, str]] = {
    ENGLISH: {"period": "", "fixture": "fixtures", "$": ""},
    SPANISH: {"period": "", "fixture": "luminarias", "$": ""},
}

#: Tariff phrases put into Spanish, longest first so "Renewable Energy ..." is not
#: taken for "Energy".
_SPANISH_PHRASES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"Fuel and purchased power cost adjustment", "Ajuste por costo de combustible y energía comprada"),
        (r"Renewable Energy and Conservation Fee", "Cargo por energía renovable y conservación"),
        (r"Debt cost adjustment", "Ajuste por costo de la deuda"),
        (r"Minimum bill adjustment", "Ajuste por factura mínima"),
        (r"Base energy cost", "Costo base de la energía"),
        (r"Customer charge", "Cargo por cliente"),
        (r"System charge", "Cargo por sistema"),
        (r"Street lighting", "Alumbrado público"),
        (r"Gross receipts tax", "Impuesto sobre los ingresos brutos"),
        (r"Percentage fee", "Cargo porcentual"),
        (r"^Energy\b", "Energía"),
        (r"^Demand\b", "Demanda"),
        (r"\bNCP billing kW\b", "kW facturables sin coincidencia (NCP)"),
        (r"\ball kWh\b", "todos los kWh"),
        (r"\bfirst\b", "primeros"),
        (r"\bnext\b", "siguientes"),
        (r"\bover\b", "más de"),
        (r"\babove\b", "más de"),
        (r"\bon-peak\b", "horas pico"),
        (r"\boff-peak\b", "fuera de horas pico"),
        (r"\bper fixture\b", "por luminaria"),
        (r"\bwatt\b", "vatios"),
        (r"\bmeasured\b", "medida"),
        (r"\bat PF\b", "con FP"),
        (r"\blosses\b", "pérdidas"),
        (r"\bdays at rates effective\b", "días a las tarifas vigentes desde"),
    )
)  # fmt: skip


def text(language: str) -> dict[str, str]:
    """The catalogue for ``language`` (EN or ES); anything else is a programming error."""
    try:
        return TEXT[language]
    except KeyError:
        raise ValueError(f"no bill text in language {language!r}") from None


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
    for pattern, replacement in _SPANISH_PHRASES:
        description = pattern.sub(replacement, description)
    return description


def unit_label(unit: str, language: str) -> str:
    return UNITS[language].get(unit, unit)


def long_date(day: date, language: str) -> str:
    """``March 5, 2026`` / ``5 de marzo de 2026``."""
    month = MONTHS[language][day.month - 1]
    if language == SPANISH:
        return f"{day.day} de {month} de {day.year}"
    return f"{month} {day.day}, {day.year}"


def short_date(day: date, language: str) -> str:
    """``Mar 5, 2026`` / ``5 mar 2026`` for tables."""
    month = MONTH_ABBREVIATIONS[language][day.month - 1]
    if language == SPANISH:
        return f"{day.day} {month} {day.year}"
    return f"{month} {day.day}, {day.year}"


def date_range(start: date, end: date, language: str) -> str:
    """``Feb 5 - Mar 5, 2026`` / ``5 feb - 5 mar 2026`` (en dash) (the year once if it is the same)."""
    if start.year != end.year:
        return f"{short_date(start, language)} {DASH} {short_date(end, language)}"
    month = MONTH_ABBREVIATIONS[language]
    if language == SPANISH:
        return f"{start.day} {month[start.month - 1]} {DASH} {end.day} {month[end.month - 1]} {end.year}"
    return (
        f"{month[start.month - 1]} {start.day} {DASH} {month[end.month - 1]} {end.day}, {end.year}"
    )


def month_label(period: str, language: str) -> str:
    """``2026-03`` -> ``Mar`` / ``mar`` (a chart label)."""
    return MONTH_ABBREVIATIONS[language][int(period[5:7]) - 1]


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
