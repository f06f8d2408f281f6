"""Who may do what in the back office: the staff roles' permissions, checked on the server.

Buttons are hidden from roles that lack a permission, but hiding is only a courtesy:
every view that changes data checks the permission again and answers 403.
"""

from __future__ import annotations

from typing import Any

from coopcis.apps.staff.access import VIEW as VIEW
from coopcis.apps.staff.access import forbidden as forbidden
from coopcis.apps.staff.access import staff_view as staff_view
from coopcis.apps.staff.roles import DECIDE_APPLICATIONS

EDIT_ACCOUNT = "members.change_account"
ENROLL_MEMBERSHIP = "members.add_membership"
SUBMIT_APPLICATION = "members.add_serviceapplication"
ADD_PARTY = "members.add_party"
ADD_PREMISE = "premises.add_premise"
DECIDE_APPLICATION = DECIDE_APPLICATIONS
# Connecting opens the account (and its agreement) the application asked for.
CONNECT_APPLICATION = "members.add_account"
INSTALL_METER = "metering.add_meterinstallation"
REMOVE_METER = "metering.change_meterinstallation"
START_AGREEMENT = "premises.add_serviceagreement"
END_AGREEMENT = "premises.change_serviceagreement"
# Collection protections (docs/domain/collections.md "Staff forms").
RECORD_CERTIFICATE = "collections.add_medicalcertificate"
RECORD_LIHEAP = "collections.add_liheapqualification"
MAKE_PAYMENT_AGREEMENT = "collections.add_agreement"
OPEN_DISPUTE = "collections.add_dispute"
RESOLVE_DISPUTE = "collections.change_dispute"
PLACE_HOLD = "collections.add_coophold"
RELEASE_HOLD = "collections.change_coophold"
NAME_THIRD_PARTY = "collections.add_thirdpartycontact"
# Security deposits (docs/domain/credit.md "Staff forms"). Taking and billing both add a
# deposit; refunds and excess payouts move money out, so they change one.
DECIDE_DEPOSIT = "credit.add_creditdecision"
TAKE_DEPOSIT = "credit.add_deposit"
BILL_DEPOSIT = "credit.add_deposit"
ADD_GUARANTOR = "credit.add_guarantor"
REFUND_DEPOSIT = "credit.change_deposit"
REQUEST_EXCESS = "credit.change_deposit"

#: What the templates ask (``can.edit_account``...), by name.
ABILITIES = {
    "edit_account": EDIT_ACCOUNT,
    "enroll_membership": ENROLL_MEMBERSHIP,
    "submit_application": SUBMIT_APPLICATION,
    "decide_application": DECIDE_APPLICATION,
    "connect_application": CONNECT_APPLICATION,
    "install_meter": INSTALL_METER,
    "remove_meter": REMOVE_METER,
    "start_agreement": START_AGREEMENT,
    "end_agreement": END_AGREEMENT,
    "record_certificate": RECORD_CERTIFICATE,
    "record_liheap": RECORD_LIHEAP,
    "make_payment_agreement": MAKE_PAYMENT_AGREEMENT,
    "open_dispute": OPEN_DISPUTE,
    "resolve_dispute": RESOLVE_DISPUTE,
    "place_hold": PLACE_HOLD,
    "release_hold": RELEASE_HOLD,
    "name_third_party": NAME_THIRD_PARTY,
    "decide_deposit": DECIDE_DEPOSIT,
    "take_deposit": TAKE_DEPOSIT,
    "bill_deposit": BILL_DEPOSIT,
    "add_guarantor": ADD_GUARANTOR,
    "refund_deposit": REFUND_DEPOSIT,
    "request_excess": REQUEST_EXCESS,
}


def abilities(user: Any) -> dict[str, bool]:
    """Which changes ``user`` may make (one permission lookup, cached on the user)."""
    return {name: user.has_perm(permission) for name, permission in ABILITIES.items()}


def role_label(user: Any) -> str:
    """The role names shown in the header: the user's role groups, or what stands for them."""
    if user.is_superuser:
        return "Administrator"
    names = sorted(group.name for group in user.groups.all())
    return ", ".join(names) if names else "No role"
