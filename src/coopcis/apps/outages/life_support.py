"""Life-support (medical) flags: certificates with an expiry, their confirmation to the
member, and the households they put first in each outage.

Staff record a certificate from the account page (``/outages/life-support/<number>/``),
renew it with the next certificate's expiry, or end it; each change is an audited save
(``AuditedModel``) and sends the member a confirmation (notification kind
``life_support``, by email or text; also a letter staff print), in the account's
language, saying that the flag is no promise of priority restoration. A certificate
counts from the day it was received through its expiry, so an expired one stops counting
without anyone acting.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from django.db import transaction
from django.utils import translation
from django.utils.translation import pgettext, pgettext_lazy

from coopcis.apps.billing import bill_text as bt
from coopcis.apps.billing.pdf.document import mailing_lines
from coopcis.apps.billing.pdf.letter import Section, letter_pdf
from coopcis.apps.members.models import Account
from coopcis.apps.notify.kinds import NotificationKind, register
from coopcis.apps.notify.services import notify
from coopcis.apps.outages.models import LifeSupportCertificate
from coopcis.apps.premises.models import ServiceAgreement
from coopcis.catalog.profiles import active_profile
from coopcis.core.errors import RuleViolation
from coopcis.core.outages.network import Network

LIFE_SUPPORT = register(
    NotificationKind(
        "life_support",
        pgettext_lazy("notification kind", "Life-support equipment"),
        pgettext_lazy(
            "notification kind",
            "Our record of life-support equipment at your home: when it is made, renewed or ended.",
        ),
        required=True,
        position=65,
    )
)

#: Stages of the confirmation (the letter's and the message's wording).
RECORDED, RENEWED, ENDED = "recorded", "renewed", "ended"


def certificates_in_force(account: Account, on: date) -> list[LifeSupportCertificate]:
    return [c for c in account.life_support_certificates.all() if c.counts_on(on)]


def _check_dates(received_on: date, expires_on: date, today: date) -> None:
    if received_on > today:
        raise RuleViolation("the certificate is dated after today", field="received_on")
    if expires_on < received_on:
        raise RuleViolation("it expires before it was received", field="expires_on")
    if expires_on < today:
        raise RuleViolation("the certificate has already expired", field="expires_on")


@transaction.atomic
def record_certificate(
    *,
    account: Account,
    equipment: str,
    certified_by: str,
    received_on: date,
    expires_on: date,
    today: date,
) -> LifeSupportCertificate:
    """Keep a practitioner's certificate of life-support equipment; confirm it to the
    member."""
    if not equipment.strip():
        raise RuleViolation("name the equipment", field="equipment")
    if not certified_by.strip():
        raise RuleViolation("name who certified it", field="certified_by")
    _check_dates(received_on, expires_on, today)
    certificate = LifeSupportCertificate.objects.create(
        account=account,
        equipment=equipment.strip()[:120],
        certified_by=certified_by.strip()[:120],
        received_on=received_on,
        expires_on=expires_on,
    )
    confirm(certificate, RECORDED)
    return certificate


@transaction.atomic
def renew_certificate(
    certificate: LifeSupportCertificate, *, received_on: date, expires_on: date, today: date
) -> LifeSupportCertificate:
    """A new certificate for the same equipment: the flag runs to its expiry."""
    certificate = LifeSupportCertificate.objects.select_for_update().get(pk=certificate.pk)
    if certificate.ended_on is not None:
        raise RuleViolation("the flag was ended: record a new certificate", field="expires_on")
    _check_dates(received_on, expires_on, today)
    if expires_on <= certificate.expires_on:
        raise RuleViolation(
            f"the renewal must run past {certificate.expires_on:%Y-%m-%d}", field="expires_on"
        )
    certificate.renewed_on = received_on
    certificate.expires_on = expires_on
    certificate.with_reason("renewed").save()
    confirm(certificate, RENEWED)
    return certificate


@transaction.atomic
def end_certificate(
    certificate: LifeSupportCertificate, *, ended_on: date, reason: str, today: date
) -> LifeSupportCertificate:
    """The equipment is gone (or the member asked): the flag stops on ``ended_on``."""
    certificate = LifeSupportCertificate.objects.select_for_update().get(pk=certificate.pk)
    if certificate.ended_on is not None:
        raise RuleViolation("the flag is already ended", field="ended_on")
    if not reason.strip():
        raise RuleViolation("say why it ends", field="reason")
    if ended_on > today:
        raise RuleViolation("the end is after today", field="ended_on")
    if ended_on < certificate.received_on:
        raise RuleViolation("the end is before the certificate", field="ended_on")
    certificate.ended_on = ended_on
    certificate.end_reason = reason.strip()[:200]
    certificate.with_reason(f"ended: {certificate.end_reason}").save()
    confirm(certificate, ENDED)
    return certificate


def confirm(certificate: LifeSupportCertificate, stage: str) -> None:
    """Tell the member (once per certificate, stage and expiry)."""
    notify(
        certificate.account,
        LIFE_SUPPORT.code,
        {"stage": stage, "certificate": certificate},
        idempotency_key=(f"life_support:{certificate.pk}:{stage}:{certificate.expires_on:%Y%m%d}"),
    )


# --- the letter ------------------------------------------------------------------------------


def _paragraphs(stage: str, certificate: LifeSupportCertificate) -> tuple[str, ...]:
    phone = active_profile().outage_phone
    opening = {
        RECORDED: pgettext(
            "life support letter",
            "We have recorded that a member of your household depends on life-support "
            "equipment, as your practitioner certified.",
        ),
        RENEWED: pgettext(
            "life support letter",
            "We have renewed our record of life-support equipment in your household.",
        ),
        ENDED: pgettext(
            "life support letter",
            "We have ended our record of life-support equipment in your household. If "
            "someone still depends on such equipment, send us a new certificate.",
        ),
    }[stage]
    paragraphs = [opening]
    if stage != ENDED:
        paragraphs.append(
            pgettext(
                "life support letter",
                "During an outage that reaches your home, your household is listed first "
                "among the members of that outage, so our dispatchers see it.",
            )
        )
    paragraphs.append(
        pgettext(
            "life support letter",
            "This record is no promise of priority restoration. Power is restored in the "
            "order the repairs allow: transmission lines first, then substations, then the "
            "lines serving the most members, then single services. An outage can last "
            "hours or days.",
        )
    )
    paragraphs.append(
        pgettext(
            "life support letter",
            "Keep a plan for an outage: a backup power source for the equipment, or a place "
            "to go. In an emergency, call 911.",
        )
    )
    if phone:
        paragraphs.append(
            pgettext("life support letter", "Outages, 24 hours a day: %(phone)s") % {"phone": phone}
        )
    return tuple(paragraphs)


def confirmation_letter(certificate: LifeSupportCertificate, stage: str) -> bytes:
    """The confirmation letter in the account's language (English or Spanish)."""
    account = certificate.account
    language = account.language if account.language in bt.DJANGO_LANGUAGE else "EN"
    with translation.override(bt.DJANGO_LANGUAGE[language]):
        title = pgettext("life support letter", "Life-support equipment on record")
        facts = [
            (pgettext("life support letter", "Member"), account.party.display_name),
            (pgettext("life support letter", "Account"), account.number),
            (pgettext("life support letter", "Equipment"), certificate.equipment),
            (
                pgettext("life support letter", "Certificate received"),
                bt.long_date(certificate.received_on, language),
            ),
        ]
        if stage == ENDED and certificate.ended_on is not None:
            facts.append(
                (
                    pgettext("life support letter", "Ended"),
                    bt.long_date(certificate.ended_on, language),
                )
            )
        else:
            facts.append(
                (
                    pgettext("life support letter", "Valid through"),
                    bt.long_date(certificate.expires_on, language),
                )
            )
        paragraphs = _paragraphs(stage, certificate)
    return letter_pdf(
        profile=active_profile(),
        address_lines=mailing_lines(account),
        sections=[Section(title=title, facts=tuple(facts), paragraphs=paragraphs)],
        title=f"{title} {account.number}",
    )


# --- outages ---------------------------------------------------------------------------------


def life_support_points(on: date) -> dict[str, set[str]]:
    """Service point code -> the account numbers with a certificate in force on ``on``
    and an agreement in force there (a small set: the co-op's flagged households)."""
    accounts = {
        c.account_id
        for c in LifeSupportCertificate.objects.filter(
            received_on__lte=on, expires_on__gte=on
        ).exclude(ended_on__lte=on)
    }
    points: dict[str, set[str]] = {}
    rows = ServiceAgreement.objects.filter(account_id__in=accounts, start_on__lte=on).exclude(
        end_on__lte=on
    )
    for code, number in rows.values_list("service_point__code", "account__number"):
        points.setdefault(code, set()).add(number)
    return points


def reached_by_device(network: Network, points: Mapping[str, set[str]]) -> dict[str, set[str]]:
    """Device (or service point) code -> the flagged account numbers at or under it: each
    flagged service point's path up, walked once (a dozen nodes), so counting every open
    outage of a storm costs one lookup each."""
    reached: dict[str, set[str]] = {}
    for code, numbers in points.items():
        for node in network.upstream(code) if code in network else [code]:
            reached.setdefault(node, set()).update(numbers)
    return reached


def accounts_reached(
    network: Network, device_code: str, points: Mapping[str, set[str]]
) -> set[str]:
    """The flagged account numbers at service points at or under ``device_code``."""
    return reached_by_device(network, points).get(device_code, set())


def life_support_counts(
    network: Network, devices: Iterable[str], points: Mapping[str, set[str]]
) -> dict[str, int]:
    """Flagged households (accounts) each device's outage reaches."""
    reached = reached_by_device(network, points)
    return {device: len(reached.get(device, ())) for device in devices}
