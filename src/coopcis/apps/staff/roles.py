"""Staff roles as Django groups, with the permissions each needs.

- read-only: sees everything, changes nothing.
- customer service: takes applications, opens accounts, edits member and contact data,
  takes office payments (and voids one the same day, before its batch closes), records collection protections (seriously-ill certificates,
  LIHEAP, payment agreements, disputes, co-op holds, third parties), decides security
  deposits, takes or bills them and records guarantors; writes and pins account notes;
  registers members present at a members' meeting.
- billing: meters, installations, reads, service agreements (what determines a bill);
  releases held bills, cancels and rebills; accepts or rejects flagged reads.
- finance: sees everything; takes office payments (cashier batches), voids them the same
  day and reverses posted payments later (reversing entries); refunds deposits and
  pays the excess a member asks for (money out of 235 customer deposits); applies lockbox
  suspense items to members and records refund checks as issued.
- manager: every coopcis permission, may decide applications, and gives staff sign-ins
  (``coopcis staff add``, the Staff page).
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission

COOPCIS_APPS = (
    "members",
    "premises",
    "metering",
    "audit",
    "payments",
    "receivables",
    "billing",
    "ledger",
    "collections",
    "credit",
    "governance",
    "capital_credits",
    "loans",
    "rebates",
    "jobs",
    "outages",
    "netmetering",
)

ROLE_NAMES = {
    "read_only": "Read-only",
    "customer_service": "Customer service",
    "billing": "Billing",
    "finance": "Finance",
    "manager": "Manager",
}

#: Taking office payments: open a cashier batch, take payments into it, close it.
CASHIER = ("payments.add_cashierbatch", "payments.change_cashierbatch", "payments.add_payment")

#: Voiding a payment taken by mistake, the same day and before its batch closes.
VOID_PAYMENTS = ("payments.void_payment",)

#: Reversing a posted payment later (reversing entries): a supervisor's decision.
REVERSE_PAYMENTS = ("payments.reverse_payment",)

#: Recording what protects a member from disconnection, from the account page.
COLLECTION_PROTECTIONS = (
    "collections.add_medicalcertificate",
    "collections.add_liheapqualification",
    "collections.add_agreement",
    "collections.add_dispute",
    "collections.change_dispute",
    "collections.add_coophold",
    "collections.change_coophold",
    "collections.add_thirdpartycontact",
)

#: Deciding a security deposit (Rule No. 4), taking or billing it, or a guarantee instead.
DEPOSITS = ("credit.add_creditdecision", "credit.add_deposit", "credit.add_guarantor")

#: Refunding a deposit now and paying the excess on request: money out, so finance's.
DEPOSIT_REFUNDS = ("credit.change_deposit",)

#: Writing a note or contact on an account, and pinning one on top.
NOTES = ("members.add_contactnote", "members.change_contactnote")

#: Registering members present at a members' meeting (the registration desk), and
#: entering the ballots of those present (the tellers).
MEETING_DESK = ("governance.add_checkin", "governance.add_ballotissued")

#: Which model permissions each role gets, beyond viewing everything.
ROLE_CHANGES: dict[str, tuple[str, ...]] = {
    "read_only": (),
    "customer_service": (
        "members.add_party",
        "members.change_party",
        "members.add_membership",
        "members.change_membership",
        "members.add_account",
        "members.change_account",
        "members.add_serviceapplication",
        "members.change_serviceapplication",
        "members.add_bankdraftmandate",
        "members.change_bankdraftmandate",
        "premises.add_premise",
        "premises.change_premise",
        *NOTES,
        *CASHIER,
        *VOID_PAYMENTS,
        *COLLECTION_PROTECTIONS,
        *DEPOSITS,
        *MEETING_DESK,
        # take an efficiency rebate claim with its proof at the counter
        "rebates.add_rebateclaim",
        # dispatch: set an outage's estimated restoration and crew, restore it
        "outages.change_outage",
        # take a member's outage call; record, renew or end a life-support certificate
        "outages.add_outagereport",
        "outages.add_lifesupportcertificate",
        "outages.change_lifesupportcertificate",
        # enter a member's REC meter read phoned or brought in (SEC policy 425)
        "netmetering.add_recread",
        # take a net-metering interconnection application (SEC policy 425)
        "netmetering.add_interconnection",
        # take an aid-to-construction loan application (SEC policy 424)
        "loans.add_loan",
    ),
    "billing": (
        "metering.add_meter",
        "metering.change_meter",
        "metering.add_meterinstallation",
        "metering.change_meterinstallation",
        "metering.add_registerread",
        "metering.add_intervalblock",
        "premises.add_servicepoint",
        "premises.change_servicepoint",
        "premises.add_serviceagreement",
        "premises.change_serviceagreement",
        "members.add_contactnote",
        # release a held bill, cancel a wrong one and rebill (policies 409, 410)
        "billing.change_bill",
        # accept a flagged read or reject it for an estimate (VEE)
        "metering.change_readexception",
        # enter a member's REC meter read (SEC policy 425)
        "netmetering.add_recread",
        # approve an interconnection (its fee charged), bill its costs at cost, put it in
        # service with the net meter, or refuse it (SEC policy 425)
        "netmetering.change_interconnection",
    ),
    "finance": (
        *CASHIER,
        *VOID_PAYMENTS,
        *REVERSE_PAYMENTS,
        *DEPOSIT_REFUNDS,
        "members.add_contactnote",
        # apply a lockbox suspense item to its member; record an issued refund check
        "payments.change_suspenseitem",
        "payments.change_refundrequest",
        # allocate a year's margins; retire capital credits the board approved (and
        # estates); assign credits on written instructions; record a retirement check claimed
        "capital_credits.add_allocation",
        "capital_credits.add_retirement",
        "capital_credits.add_assignment",
        "capital_credits.change_payout",
        # approve or deny efficiency rebate claims (money out: a check or a bill credit)
        "rebates.change_rebateclaim",
        # approve and disburse aid-to-construction loans (money out)
        "loans.change_loan",
    ),
    "manager": ("*",),
}

#: Giving and resetting staff sign-ins (the managers' Staff page).
MANAGE_STAFF = ("auth.add_user", "auth.change_user")

#: Custom permission for deciding (approving or declining) applications for service.
DECIDE_APPLICATIONS = "members.decide_serviceapplication"


def _permission(dotted: str) -> Permission:
    app_label, codename = dotted.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def ensure_roles(**_: Any) -> None:
    """Create or refresh the role groups (run after every migrate)."""
    for app_config in apps.get_app_configs():
        # Permissions are normally made app by app after migrate; make sure all exist now.
        create_permissions(app_config, verbosity=0)
    coopcis_permissions = Permission.objects.filter(content_type__app_label__in=COOPCIS_APPS)
    view_permissions = [p for p in coopcis_permissions if p.codename.startswith("view_")]
    for name, label in ROLE_NAMES.items():
        group, _ = Group.objects.get_or_create(name=label)
        changes = ROLE_CHANGES[name]
        if changes == ("*",):
            permissions = [*coopcis_permissions, *(_permission(d) for d in MANAGE_STAFF)]
        else:
            permissions = view_permissions + [_permission(dotted) for dotted in changes]
        group.permissions.set(permissions)
