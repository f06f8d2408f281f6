"""A member's whole journey in the browser, in English and in Spanish: sign up (the
verification email read from a real local SMTP server), sign in, the latest bill, a card
declined, the bill paid by card; then staff, signed in in the same test, see the payment
on the account page.

The Spanish run uses the Spanish catalogue (``src/coopcis/locale/es``): it finds every
field, button and heading by its Spanish name, so a missing translation fails it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from coopcis.apps.billing.models import Bill
from coopcis.apps.billing.run import run_billing
from coopcis.apps.payments.gateway import forget_gateways
from coopcis.apps.payments.models import Payment
from tests.integration.backoffice.factories import PASSWORD as STAFF_PASSWORD
from tests.integration.backoffice.factories import staff_user
from tests.integration.small_coop import small_coop  # noqa: F401 (the fixture)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
MEMBER_PASSWORD = "Ocotillo-Mesa-2931"

WORDS = {
    "en": {
        "Account number": "Account number",
        "Latest bill amount": "Latest bill amount",
        "Email": "Email",
        "Password": "Password",
        "Confirm password": "Confirm password",
        "Sign up": "Sign up",
        "Sign in": "Sign in",
        "View the latest bill": "View the latest bill",
        "Pay this bill": "Pay this bill",
        "Amount": "Amount",
        "Card number": "Card number",
        "Expiry (MM/YY)": "Expiry (MM/YY)",
        "Security code (CVC)": "Security code (CVC)",
        "Name on card": "Name on card",
        "Pay now": "Pay now",
        "declined": "Your payment was declined",
        "received": "Thank you: payment received",
        "Bills and balance": "Bills and balance",
    },
    "es": {
        "Account number": "Número de cuenta",
        "Latest bill amount": "Total de la última factura",
        "Email": "Correo electrónico",
        "Password": "Contraseña",
        "Confirm password": "Confirme la contraseña",
        "Sign up": "Registrarse",
        "Sign in": "Iniciar sesión",
        "View the latest bill": "Ver la última factura",
        "Pay this bill": "Pagar esta factura",
        "Amount": "Monto",
        "Card number": "Número de tarjeta",
        "Expiry (MM/YY)": "Vencimiento (MM/AA)",
        "Security code (CVC)": "Código de seguridad (CVC)",
        "Name on card": "Nombre en la tarjeta",
        "Pay now": "Pagar ahora",
        "declined": "Su pago fue rechazado",
        "received": "Gracias: pago recibido",
        "Bills and balance": "Facturas y saldo",
    },
}


@pytest.fixture
def fresh_gateway():
    forget_gateways()
    yield
    forget_gateways()


def field(page, name: str):
    """The field labelled exactly ``name`` (Django adds a colon to labels)."""
    return page.get_by_label(re.compile(rf"^{re.escape(name)}:?$"))


def pay_with(page, words, card_number: str) -> None:
    field(page, words["Card number"]).fill(card_number)
    field(page, words["Expiry (MM/YY)"]).fill("12/30")
    field(page, words["Security code (CVC)"]).fill("123")
    field(page, words["Name on card"]).fill("Ana Garcia")
    page.get_by_role("button", name=words["Pay now"]).click()


@pytest.mark.parametrize("language", ["en", "es"])
def test_sign_up_view_the_latest_bill_pay_it_by_card_and_staff_see_it(
    browser,
    live_server,
    smtp_server,
    small_coop,  # noqa: F811
    fresh_gateway,
    language,
):
    words = WORDS[language]
    run_billing(period_label="2026-10")
    home = small_coop.home
    email = f"ana.{language}@example.org"
    home.language = language.upper()  # the member reads the portal in the account's language
    home.email = email  # the account's email: where the notifications (the receipt) go
    home.save(update_fields=["language", "email"])
    bill = Bill.objects.get(account=home, period="2026-10")
    context = browser.new_context(
        base_url=live_server.url,
        locale="es-ES" if language == "es" else "en-US",
        viewport={"width": 390, "height": 844},
    )
    context.set_default_timeout(10_000)
    page = context.new_page()

    # sign up: the account number and the latest bill's total prove the account
    page.goto("/portal/sign-up/")
    field(page, words["Account number"]).fill(home.number)
    field(page, words["Latest bill amount"]).fill(f"{bill.total_amount}")
    field(page, words["Email"]).fill(email)
    field(page, words["Password"]).fill(MEMBER_PASSWORD)
    field(page, words["Confirm password"]).fill(MEMBER_PASSWORD)
    page.get_by_role("button", name=words["Sign up"]).click()
    [message] = smtp_server.wait_for(1)
    assert message["To"] == email
    [link] = smtp_server.links(message)
    page.goto(link)

    # sign in
    page.goto("/portal/sign-in/")
    field(page, words["Email"]).fill(email)
    field(page, words["Password"]).fill(MEMBER_PASSWORD)
    page.locator("main").get_by_role("button", name=words["Sign in"]).click()

    # the account's first screen, then the latest bill
    page.locator("main").get_by_role("link", name=words["Bills and balance"]).first.click()
    expect(page.get_by_test_id("amount-due")).to_have_text("$183.89")
    page.get_by_role("link", name=words["View the latest bill"]).click()
    expect(page.get_by_test_id("bill-total")).to_have_text("$183.89")
    page.get_by_role("link", name=words["Pay this bill"]).click()

    # the declining test card first: refused, nothing posted
    expect(field(page, words["Amount"])).to_have_value("183.89")
    pay_with(page, words, "4000 0000 0000 0002")
    expect(page.get_by_role("alert")).to_contain_text(words["declined"])
    assert not Payment.objects.exists()

    # then the approving one
    pay_with(page, words, "4242 4242 4242 4242")
    expect(page.get_by_role("heading", level=1)).to_have_text(words["received"])
    expect(page.get_by_test_id("paid-amount")).to_have_text("$183.89")
    payment = Payment.objects.get()
    expect(page.get_by_test_id("confirmation")).to_have_text(payment.reference)
    receipt = smtp_server.wait_for(2)[-1]
    assert receipt["To"] == email and "$183.89" in receipt["Subject"]
    context.close()

    # staff see it on the account page at once
    staff_user("customer_service", username="rosa")
    staff = browser.new_context(base_url=live_server.url)
    office = staff.new_page()
    office.goto(f"/accounts/{home.number}/")
    office.get_by_label("Username").fill("rosa")
    office.get_by_label("Password").fill(STAFF_PASSWORD)
    office.get_by_role("button", name="Sign in").click()
    row = office.locator("#payments tbody tr", has_text=payment.reference)
    expect(row).to_contain_text("$183.89")
    expect(row).to_contain_text(re.compile("Online"))
    staff.close()
