"""Printed capital-credit documents: a patron's allocation notice (a letter, as the
collection notices are), and a retirement's check register (CSV and PDF)."""

from __future__ import annotations

import io
from decimal import Decimal

from django.db.models import F
from reportlab.lib.pagesizes import LETTER, landscape

from coopcis.apps.billing import bill_text as bt
from coopcis.apps.billing.pdf.document import mailing_lines
from coopcis.apps.billing.pdf.letter import Section, letter_pdf
from coopcis.apps.billing.pdf.plain_pdf import PlainCanvas
from coopcis.apps.capital_credits.models import CapitalCredit, PatronageBasis, Payout, Retirement
from coopcis.catalog.profiles import active_profile
from coopcis.core import spreadsheet

REGISTER_HEADER = (
    "check_number",
    "account",
    "payee",
    "address",
    "method",
    "retired",
    "debts_deducted",
    "amount",
    "mailed_on",
    "status",
)


def notice_pdf(credit: CapitalCredit) -> bytes:
    """The notice of a year's capital credit (art. VIII sec. 2: "within a reasonable time
    after the close of the fiscal year notify each patron of the amount ... credited")."""
    profile = active_profile()
    allocation, account = credit.allocation, credit.account
    unit = "kWh" if allocation.basis == PatronageBasis.KWH else "electric revenue billed"
    patronage = (
        f"{bt.number(credit.patronage, 3)} kWh"
        if allocation.basis == PatronageBasis.KWH
        else bt.money(credit.patronage)
    )
    section = Section(
        title=f"Your capital credit for {allocation.year}",
        facts=(
            ("Account", account.number),
            ("Fiscal year", str(allocation.year)),
            ("Pool", allocation.pool),
            (f"Your patronage ({unit})", patronage),
            ("Capital credited to your account", bt.money(credit.amount)),
            ("Date of notice", bt.long_date(credit.noticed_on, "EN")),
        ),
        paragraphs=(
            f"{profile.name} operates at cost. Its margins for {allocation.year} "
            f"({bt.money(allocation.margins_amount)} in the {allocation.pool} pool) belong "
            "to its patrons and have been credited to each patron's capital account in "
            "proportion to what they paid for electric energy that year (bylaws art. VIII "
            "sec. 2).",
            "Capital credits are not paid in cash now: the Board of Trustees retires them when "
            "the co-op's finances allow. Keep your mailing address up to date, so a "
            "retirement check reaches you; a check not claimed within two years of mailing "
            "becomes a gift to the co-op's educational and charitable fund (art. VIII sec. 3).",
        ),
    )
    return letter_pdf(
        profile=profile,
        address_lines=mailing_lines(account),
        sections=[section],
        title=f"Capital credit notice {allocation.year} {account.number}",
    )


def register_rows(retirement: Retirement) -> list[tuple[str, ...]]:
    payouts = (
        Payout.objects.filter(retirement=retirement)
        .select_related("account")
        .order_by(F("check_number").asc(nulls_last=True), "account__number")
    )
    return [
        (
            str(p.check_number or ""),
            p.account.number,
            p.payee,
            p.address,
            p.get_method_display(),
            f"{p.retired_amount:.2f}",
            f"{p.debts_amount:.2f}",
            f"{p.amount:.2f}",
            p.mailed_on.isoformat() if p.mailed_on else "",
            p.get_status_display(),
        )
        for p in payouts
    ]


def register_csv(retirement: Retirement) -> str:
    out = io.StringIO()
    writer = spreadsheet.writer(out)  # payees' names are typed by members: never a formula
    writer.writerow(REGISTER_HEADER)
    writer.writerows(register_rows(retirement))
    return out.getvalue()


def register_pdf(retirement: Retirement) -> bytes:
    """The printable check register: one line per payout, totals at the end."""
    width, height = landscape(LETTER)
    profile = active_profile()
    canvas = PlainCanvas(
        width=width, height=height, title=f"Check register {retirement.pk}", author=profile.name
    )
    rows = register_rows(retirement)
    columns = (36, 90, 150, 330, 560, 630, 690, 750)
    y = 0.0

    def heading() -> float:
        canvas.setFont("Helvetica-Bold", 11)
        canvas.drawString(36, height - 40, f"{profile.name}: capital credit check register")
        canvas.setFont("Helvetica", 8)
        canvas.drawString(
            36,
            height - 54,
            f"Retirement {retirement.pk} ({retirement.get_kind_display()}, {retirement.pool}, "
            f"{retirement.method}) on {retirement.retired_on}; board: {retirement.resolution}"[
                :180
            ],
        )
        canvas.setFont("Helvetica-Bold", 7.5)
        for x, label in zip(
            columns,
            ("Check", "Account", "Payee", "Address", "How", "Retired", "Debts", "Amount"),
            strict=True,
        ):
            canvas.drawString(x, height - 72, label)
        canvas.setFont("Helvetica", 7.5)
        return height - 84

    y = heading()
    for row in rows:
        if y < 40:
            canvas.showPage()
            y = heading()
        values = (row[0], row[1], row[2][:34], row[3][:44], row[4], row[5], row[6], row[7])
        for x, value in zip(columns, values, strict=True):
            canvas.drawString(x, y, value)
        y -= 10
    total = sum((Decimal(row[7]) for row in rows), Decimal(0))
    canvas.setFont("Helvetica-Bold", 8)
    canvas.drawString(36, max(y - 6, 20), f"{len(rows)} payouts, total {bt.money(total)}")
    canvas.showPage()
    return canvas.save()
