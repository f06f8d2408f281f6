"""The member's email receipt for a payment made in the portal, in the account's language,
sent through the site's SMTP connection (``COOPCIS_EMAIL_URL``)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation

from coopcis.apps.ledger.services import member_balance
from coopcis.apps.payments.models import Payment
from coopcis.catalog.profiles import active_profile

log = logging.getLogger(__name__)


def send_payment_receipt(payment: Payment, *, to: str) -> bool:
    """Email the receipt; False (logged) when it could not be sent: the payment stands."""
    if not to:
        return False
    account = payment.account
    context = {
        "payment": payment,
        "account": account,
        "balance": member_balance(account),
        "co_op": active_profile(),
    }
    with translation.override(account.language.lower()):
        subject = " ".join(
            render_to_string("portal/bills/email/receipt_subject.txt", context).split()
        )
        body = render_to_string("portal/bills/email/receipt_body.txt", context)
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to])
    except Exception:  # the SMTP server is down: the payment is made; say so in the log
        log.exception("the receipt for payment %s could not be sent", payment.pk)
        return False
    return True
