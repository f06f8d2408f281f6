"""Every route of the URLconf against every role, anonymous included.

The routes come from ``django.urls.get_resolver()``, so a new page or API route without a
rule in ``RULES`` fails ``test_every_route_has_a_rule``: add one line there saying who may
use it. A rule says which roles get through; everyone else signed in gets 403, and the
anonymous are sent to sign in (pages), answered 401 (APIs), or sent to the admin's sign-in.

A member's portal sign-in (``member``, linked to the described account) is refused (403) on
every staff page and API, whatever the rule says for staff; portal pages (``portal``) let
only members through, send the anonymous to the portal's sign-in and refuse staff (403).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from coopcis.apps.members.models import Account
from coopcis.apps.portal.models import AccountLink, LinkRole, MemberSignIn
from coopcis.apps.staff.roles import ROLE_NAMES
from tests.integration.backoffice.factories import described_account

pytestmark = pytest.mark.django_db

#: Who is asking: no sign-in, a sign-in without a role, each role, a superuser, and a
#: member's portal sign-in.
ROLES = ("anonymous", "no_role", *ROLE_NAMES, "superuser", "member")
EVERY_ROLE = frozenset({*ROLE_NAMES, "superuser"})
SIGNED_IN = frozenset({"no_role", *EVERY_ROLE})


def only(*roles: str) -> frozenset[str]:
    """These roles, and superusers (who hold every permission)."""
    return frozenset({*roles, "superuser"})


@dataclass(frozen=True)
class Rule:
    """``kind``: page (anonymous -> sign-in), api (anonymous -> 401), admin (everyone but a
    superuser -> the admin's sign-in), public (everyone gets ``status``), portal (members
    only; anonymous -> the portal's sign-in); ``allowed``: the roles that get through
    (``status`` exactly when given); ``method``: how to ask; ``member``: what a member's
    sign-in gets (refused everywhere but the portal)."""

    kind: str
    allowed: frozenset[str] = field(default_factory=frozenset)
    status: int | None = None
    method: str = "GET"
    member: str = "403"


def page(allowed: frozenset[str], status: int | None = None, method: str = "GET") -> Rule:
    return Rule("page", allowed, status, method)


def api(allowed: frozenset[str], status: int | None = None, method: str = "GET") -> Rule:
    return Rule("api", allowed, status, method)


def public(status: int, method: str = "GET") -> Rule:
    return Rule("public", SIGNED_IN | {"anonymous"}, status, method)


def portal(status: int | None = None, method: str = "GET") -> Rule:
    """A member page: members through, staff 403, the anonymous to the portal's sign-in."""
    return Rule("portal", frozenset({"member"}), status, method, member="through")


def portal_public(status: int, method: str = "GET", member: str = "through") -> Rule:
    """A portal page for everyone (sign-up, sign-in, links from email); ``member``: what a
    signed-in member gets (``redirected`` where a member has nothing to do there)."""
    return Rule("public", SIGNED_IN | {"anonymous", "member"}, status, method, member=member)


CS, BILLING, FINANCE, MANAGER = "customer_service", "billing", "finance", "manager"

#: One line per route: who may use it. (Names are the URL names, namespace included.)
RULES: dict[str, Rule] = {
    "admin:*": Rule("admin", only()),  # every admin route (one per registered model)
    "admin:login": Rule("public", SIGNED_IN - {"superuser"} | {"anonymous"}, 200),
    "admin:logout": public(302, method="POST"),
    "admin:autocomplete": Rule("admin", only(), 403),  # the view refuses a bare request
    "admin:axes_accessattempt_add": Rule("admin", only(), 403),  # attempts are not made by hand
    "admin:axes_accesslog_add": Rule("admin", only(), 403),
    "admin:axes_accessfailurelog_add": Rule("admin", only(), 403),
    "api_schema": public(200),  # the OpenAPI document
    "api:api-root": public(404),
    "notify:sms_inbound": public(403, method="POST"),  # signed by the SMS provider
    "api:payments": public(401, method="POST"),  # a channel API key, not a session
    "api:balance": public(401),  # a channel API key, not a session
    "api:gateway_callback": public(403, method="POST"),  # signed by the gateway
    "api:member_report": public(401, method="POST"),  # a channel API key, not a session
    "api:ami_event": public(401, method="POST"),  # the AMI head-end's key, not a session
    "api:account": api(EVERY_ROLE, 200),
    "api:account_change": api(only(CS, MANAGER), method="PATCH"),
    "api:applications": api(only(CS, MANAGER), 400, method="POST"),
    "api:meter_install": api(only(BILLING, MANAGER), 400, method="POST"),
    "backoffice:login": Rule("public", frozenset({"anonymous"}), 200),  # signed in: redirected
    "backoffice:logout": public(302, method="POST"),  # to the sign-in page
    "backoffice:password_change": page(SIGNED_IN, 200),
    "backoffice:staff": page(only(MANAGER), 200),
    "backoffice:staff_reset": page(only(MANAGER), method="POST"),
    "backoffice:member_data_reads": page(only(MANAGER), 200),
    "backoffice:search": page(EVERY_ROLE, 200),
    "backoffice:account": page(EVERY_ROLE, 200),
    "backoffice:account_edit": page(only(CS, MANAGER), 200),
    "backoffice:membership_new": page(only(CS, MANAGER)),
    "backoffice:meter_install": page(only(BILLING, MANAGER), 200),
    "backoffice:meter_remove": page(only(BILLING, MANAGER), 200),
    "backoffice:agreement_start": page(only(BILLING, MANAGER), 200),
    "backoffice:agreement_end": page(only(BILLING, MANAGER)),
    "backoffice:bill_pdf": page(EVERY_ROLE),
    "backoffice:certificate_new": page(only(CS, MANAGER)),
    "backoffice:liheap_new": page(only(CS, MANAGER)),
    "backoffice:payment_agreement_new": page(only(CS, MANAGER)),
    "backoffice:dispute_new": page(only(CS, MANAGER)),
    "backoffice:dispute_resolve": page(only(CS, MANAGER)),
    "backoffice:hold_new": page(only(CS, MANAGER)),
    "backoffice:hold_release": page(only(CS, MANAGER)),
    "backoffice:third_party_new": page(only(CS, MANAGER)),
    "backoffice:deposit_decision_new": page(only(CS, MANAGER)),
    "backoffice:deposit_take": page(only(CS, MANAGER)),
    "backoffice:deposit_bill": page(only(CS, MANAGER)),
    "backoffice:guarantor_new": page(only(CS, MANAGER)),
    "backoffice:deposit_refund": page(only(FINANCE, MANAGER)),
    "backoffice:deposit_excess": page(only(FINANCE, MANAGER)),
    "backoffice:notice_pdf": page(EVERY_ROLE),
    "backoffice:deposit_receipt_pdf": page(EVERY_ROLE),
    "backoffice:applications": page(EVERY_ROLE, 200),
    "backoffice:application_new": page(only(CS, MANAGER), 200),
    "backoffice:application": page(EVERY_ROLE),
    "backoffice:application_approve": page(only(MANAGER), method="POST"),
    "backoffice:application_decline": page(only(MANAGER), method="POST"),
    "backoffice:application_connect": page(only(CS, MANAGER), method="POST"),
    "backoffice:cashier": page(EVERY_ROLE, 200),
    "backoffice:cashier_open": page(only(CS, FINANCE, MANAGER)),
    "backoffice:cashier_pay_for_account": page(only(CS, FINANCE, MANAGER)),
    "backoffice:cashier_batch": page(EVERY_ROLE),
    "backoffice:cashier_pay": page(only(CS, FINANCE, MANAGER)),
    "backoffice:cashier_close": page(only(CS, FINANCE, MANAGER)),
    "backoffice:payment_void": page(only(CS, FINANCE, MANAGER)),
    "backoffice:payment_reverse": page(only(FINANCE, MANAGER)),
    "backoffice:payment_receipt": page(EVERY_ROLE),
    "backoffice:note_new": page(only(CS, BILLING, FINANCE, MANAGER), method="POST"),
    "backoffice:note_pin": page(only(CS, MANAGER), method="POST"),
    "backoffice:bill_reprint": page(EVERY_ROLE),
    "backoffice:held_bills": page(EVERY_ROLE, 200),
    "backoffice:bill_review": page(EVERY_ROLE),
    "backoffice:bill_release": page(only(BILLING, MANAGER)),
    "backoffice:bill_cancel": page(only(BILLING, MANAGER)),
    "backoffice:read_exceptions": page(EVERY_ROLE, 200),
    "backoffice:read_exception_resolve": page(only(BILLING, MANAGER)),
    "backoffice:suspense_items": page(EVERY_ROLE, 200),
    "backoffice:suspense_apply": page(only(FINANCE, MANAGER)),
    "backoffice:refund_requests": page(EVERY_ROLE, 200),
    "backoffice:refund_issue": page(only(FINANCE, MANAGER)),
    "backoffice:collections_due": page(EVERY_ROLE, 200),
    "backoffice:arrangement_requests": page(EVERY_ROLE, 200),
    "backoffice:arrangement_approve": page(only(CS, MANAGER), method="POST"),
    "backoffice:arrangement_decline": page(only(CS, MANAGER), method="POST"),
    "backoffice:address_requests": page(EVERY_ROLE, 200),
    "backoffice:address_confirm": page(only(CS, MANAGER), method="POST"),
    "backoffice:address_decline": page(only(CS, MANAGER), method="POST"),
    "backoffice:certificate_uploads": page(EVERY_ROLE, 200),
    "backoffice:certificate_review": page(EVERY_ROLE),  # 404 for no such upload
    "backoffice:certificate_reject": page(only(CS, MANAGER), method="POST"),
    "backoffice:certificate_file": page(EVERY_ROLE),  # 404 for no such upload
    "set_language": portal_public(302, method="POST"),  # the language switch, to ``next``
    "portal:home": portal(200),
    "portal:account": portal(200),  # the described account: linked to the member
    "portal:bill": portal(),  # no such bill: 404 for the member too
    "portal:bill_pdf": portal(),
    "portal:pay": portal(200),
    "portal:payment_done": portal(),
    "portal:autopay": portal(200),
    "portal:autopay_bank_draft": portal(302, method="POST"),  # the password again first
    "portal:autopay_card": portal(302, method="POST"),  # same
    "portal:autopay_stop": portal(302, method="POST"),
    "portal:paperless": portal(302, method="POST"),
    "portal:arrangement": portal(200),
    "portal:sign_up": portal_public(200, member="redirected"),  # a member links more instead
    "portal:verify": portal_public(400),  # a bad link (the sample token) says so
    "portal:resend_verification": portal_public(400, method="POST"),  # no email given
    "portal:sign_in": portal_public(200, member="redirected"),  # a member goes home
    "portal:sign_in_code": portal_public(302),  # no password given first: back to sign-in
    "portal:sign_out": portal_public(302, method="POST"),
    "portal:confirm": portal(200),
    "portal:link_account": portal(200),
    "portal:usage": portal(200),  # the member's charts and their tables
    "portal:usage_rates": portal(200),  # their bill on every rate of their class
    "portal:usage_download": portal(200),  # the Green Button form (the file once filled in)
    "portal:usage_alerts": portal(200),  # the high-usage threshold
    "portal:invite": portal(200),  # the holder's own account
    "portal:capital_credits": portal(200),  # the member's own account
    "portal:claim_check": portal(),  # no such check of the member's: 404
    "portal:unclaimed_checks": portal(200),  # the search form (lists nothing unsearched)
    "portal:invitation": portal_public(400),  # a bad link
    "portal:access_remove": portal(method="POST"),  # the holder's; another's link: 404
    "portal:invitation_cancel": portal(method="POST"),  # the holder's; no such one: 404
    "portal:notifications": portal(200),
    "portal:two_factor": portal(200),
    "portal:two_factor_setup": portal(302),  # to the password again first (recent_auth_required)
    "portal:two_factor_disable": portal(302, method="POST"),  # same
    "portal:password_reset": portal_public(200),
    "portal:password_reset_sent": portal_public(200),
    "portal:password_reset_confirm": portal_public(200),  # a bad link says so
    "portal:password_reset_complete": portal_public(200),
    "capital_credits:index": page(EVERY_ROLE, 200),
    # the desk's forms that post: allocating, retiring (and estates), assigning, a check
    # claimed: finance's (money and the books), and managers'
    "capital_credits:allocate": page(only(FINANCE, MANAGER), 200),
    "capital_credits:retire": page(only(FINANCE, MANAGER), 200),
    "capital_credits:estate": page(only(FINANCE, MANAGER), 200),
    "capital_credits:assign": page(only(FINANCE, MANAGER), 200),
    "capital_credits:claim": page(only(FINANCE, MANAGER), 200),
    "capital_credits:allocation": page(EVERY_ROLE),  # 404 without one
    "capital_credits:retirement": page(EVERY_ROLE),
    "capital_credits:register_csv": page(EVERY_ROLE),
    "capital_credits:register_pdf": page(EVERY_ROLE),
    "capital_credits:unclaimed": page(EVERY_ROLE, 200),
    "capital_credits:notice_pdf": page(EVERY_ROLE),
    "backoffice:loan_schedule": page(EVERY_ROLE),
    "backoffice:loan_new": page(only(CS, MANAGER), 200),
    "backoffice:loan_approve": page(only(FINANCE, MANAGER), method="POST"),
    "backoffice:loan_disburse": page(only(FINANCE, MANAGER), method="POST"),
    "backoffice:rebate_claims": page(EVERY_ROLE, 200),
    "backoffice:rec_read_new": page(only(CS, BILLING, MANAGER), 200),
    "backoffice:interconnection_new": page(only(CS, MANAGER), 200),
    "backoffice:interconnection_approve": page(only(BILLING, MANAGER), method="POST"),
    "backoffice:interconnection_in_service": page(only(BILLING, MANAGER), method="POST"),
    "backoffice:interconnection_charge": page(only(BILLING, MANAGER), method="POST"),
    "backoffice:interconnection_close": page(only(BILLING, MANAGER), method="POST"),
    "backoffice:rebate_claim_new": page(only(CS, MANAGER), 200),
    "backoffice:rebate_claim": page(EVERY_ROLE),
    "backoffice:rebate_claim_approve": page(only(FINANCE, MANAGER), method="POST"),
    "backoffice:rebate_claim_deny": page(only(FINANCE, MANAGER), method="POST"),
    "backoffice:rebate_claim_inspection": page(only(FINANCE, MANAGER), method="POST"),
    "backoffice:rebate_document": page(EVERY_ROLE),
    "portal:meetings": portal(200),  # the meeting notice, for the member's own account
    "jobs:jobs": page(EVERY_ROLE, 200),
    "jobs:job": page(EVERY_ROLE),  # 404 for a job that is not there
    "portal:loans": portal(200),  # the member's own account's loans (none: says so)
    "portal:loan_schedule": portal(),  # no such loan on the account: 404 for the member too
    "portal:rebates": portal(200),  # the catalog, the member's claims and the claim form
    "portal:net_metering": portal(200),  # interconnection, credit bank, REC reads (none: says so)
    "portal:service": portal(200),  # the holder's phone, email and language form
    "portal:report_outage": portal(200),  # report an outage, "still out", life support
    "portal:address_change": portal(200),  # the holder asks for a new mailing address
    "portal:certificate": portal(200),  # the holder sends a medical certificate
    "portal:certificate_file": portal(),  # no such upload on the account: 404
    "governance:meetings": page(EVERY_ROLE, 200),
    "outages:queue": page(EVERY_ROLE, 200),
    "outages:map": page(EVERY_ROLE, 200),
    "outages:map_data": page(EVERY_ROLE, 200),  # outages and service points' positions
    "portal:outage_map": portal_public(200),  # the public map: counts by area, no member data
    "portal:outage_map_data": portal_public(200),
    "outages:estimate": page(only(CS, MANAGER), method="POST"),  # 404 for no such outage
    "outages:restore": page(only(CS, MANAGER), method="POST"),
    "outages:detail": page(EVERY_ROLE),  # 404 for no such outage
    "outages:also_out": page(only(CS, MANAGER), method="POST"),  # 404 for no such outage
    "outages:life_support": page(EVERY_ROLE, 200),  # record/renew/end: CS and managers
    "outages:life_support_letter": page(EVERY_ROLE),  # 404 for no such certificate
    "backoffice:outage_call": page(only(CS, MANAGER), 200),  # staff taking outage calls
    "governance:meeting": page(EVERY_ROLE),  # 404 for a meeting that is not there
    "governance:check_in": page(only(CS, MANAGER), method="POST"),
    "governance:meeting_new": page(only(MANAGER), 200),  # the secretary calls a meeting
    "governance:ballot": page(only(CS, MANAGER)),  # the tellers: the desk's staff
    "governance:question": page(only(MANAGER), method="POST"),
    "governance:adjourn": page(only(MANAGER), method="POST"),
    "governance:removals": page(EVERY_ROLE),
    "governance:charges_new": page(only(MANAGER), method="POST"),
    "governance:charges_decide": page(only(MANAGER), method="POST"),
    "governance:quorum": page(EVERY_ROLE),
    "governance:tally": page(EVERY_ROLE),
    "governance:petitions": page(EVERY_ROLE),
    "governance:notice_pdf": page(EVERY_ROLE),
    "governance:notices_send": page(only(MANAGER), method="POST"),  # the secretary mails it
    "governance:petition_new": page(only(MANAGER), method="POST"),  # the secretary's work
    "governance:coin_toss": page(only(MANAGER), method="POST"),
    "governance:certify": page(only(MANAGER), method="POST"),
    "governance:board": page(EVERY_ROLE, 200),
    "governance:board_seat": page(only(MANAGER), method="POST"),
    "governance:board_officers": page(only(MANAGER), method="POST"),
    "governance:board_fill": page(only(MANAGER), method="POST"),
    "governance:board_meeting_new": page(only(MANAGER), method="POST"),
    "governance:board_meeting": page(EVERY_ROLE),  # 404 for a board meeting not there
    "governance:board_attendance": page(only(MANAGER), method="POST"),
    "governance:board_remove": page(only(MANAGER), method="POST"),
    "governance:disclosures": page(EVERY_ROLE, 200),
    "governance:disclosure_new": page(only(MANAGER), method="POST"),
    "governance:member_lists": page(only(MANAGER), 200),  # names and addresses: logged
    "governance:ethics_report_new": page(EVERY_ROLE, 200),  # anyone reports a violation
    "governance:ethics_reports": page(only(MANAGER), 200),  # confidential (code of ethics)
    "governance:access_review": page(only(MANAGER), 200),  # the board's review of reads
}

#: A value for each URL parameter: the described account's number and meter, else an id.
SAMPLES = {
    "number": "3100417",
    "serial": "AMI77120",
    "username": "operator",
    "app_label": "metering",
    "url": "no-such-page/",
}


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name", or "namespace:<pattern>" for an unnamed one
    url: str


def _sample(parameter: str) -> str:
    return SAMPLES.get(parameter, "1")


def _fill(pattern: str) -> str:
    pattern = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: _sample(m.group(1)), pattern)
    pattern = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: _sample(m.group(1)), pattern)
    return pattern.replace("^", "").replace("$", "")


def routes() -> list[Route]:
    found: list[Route] = []

    def walk(patterns: list[object], prefix: str, namespace: str) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                inner = namespace + (f"{entry.namespace}:" if entry.namespace else "")
                walk(entry.url_patterns, prefix + str(entry.pattern), inner)
            elif isinstance(entry, URLPattern):
                pattern = prefix + str(entry.pattern)
                name = entry.name or f"<{pattern}>"
                found.append(Route(namespace + name, "/" + _fill(pattern)))

    walk(get_resolver().url_patterns, "", "")
    return found


def rule_for(route: Route) -> Rule | None:
    if route.name in RULES:
        return RULES[route.name]
    namespace = route.name.split(":")[0]
    return RULES.get(f"{namespace}:*") if namespace == "admin" else None


def test_every_route_has_a_rule():
    missing = [route.name for route in routes() if rule_for(route) is None]

    assert missing == [], f"add a line to RULES for each new route: {missing}"


def test_every_rule_names_a_route():
    names = {route.name for route in routes()}

    assert [name for name in RULES if name not in names and not name.endswith(":*")] == []


def _clients() -> dict[str, Client]:
    clients = {"anonymous": Client()}
    for role in ROLES[1:]:
        user = User.objects.create_user(username=f"matrix-{role}")
        if role == "member":
            member = User.objects.create_user(username="member@example.org", password="x")
            MemberSignIn.objects.create(user=member, email_verified_at=timezone.now())
            account = Account.objects.get(number=SAMPLES["number"])
            AccountLink.objects.create(user=member, account=account, role=LinkRole.HOLDER)
            user = member
        elif role == "superuser":
            user.is_superuser = user.is_staff = True
            user.save()
        elif role in ROLE_NAMES:
            user.groups.add(Group.objects.get(name=ROLE_NAMES[role]))
        client = Client()
        client.force_login(user)
        clients[role] = client
    return clients


def _outcome(response) -> str:
    location = response.get("Location", "")
    if response.status_code == 302 and location.startswith("/sign-in/"):
        return "sign-in"
    if response.status_code == 302 and location.startswith("/admin/login/"):
        return "admin sign-in"
    if response.status_code == 302 and location.startswith("/portal/sign-in/"):
        return "portal sign-in"
    if response.status_code in (401, 403):
        return str(response.status_code)
    return "through"


def _expected(rule: Rule, role: str) -> str:
    if role == "member":
        return rule.member
    if rule.kind == "portal":
        return "portal sign-in" if role == "anonymous" else "403"
    if rule.kind == "public":
        return "through" if role in rule.allowed else "redirected"
    if role in rule.allowed:
        return "through"
    if rule.kind == "admin":
        return "admin sign-in"
    if role == "anonymous":
        return "sign-in" if rule.kind == "page" else "401"
    return "403"


@pytest.mark.parametrize("route", routes(), ids=lambda route: route.name)
def test_route_answers_each_role_as_its_rule_says(route):
    rule = rule_for(route)
    assert rule is not None, f"no rule for {route.name}: add one to RULES"
    described_account()
    results = {}
    for role, client in _clients().items():
        response = getattr(client, rule.method.lower())(route.url)
        assert response.status_code < 500, f"{role}: {route.url} answered {response.status_code}"
        if role == "member" and rule.member == "redirected":
            results[role] = "redirected" if response.status_code == 302 else "not redirected"
        elif role == "member" and rule.member != "through":
            results[role] = _outcome(response)
        elif role in rule.allowed and rule.status is not None:
            exact = response.status_code == rule.status
            results[role] = "through" if exact else str(response.status_code)
        elif rule.kind == "public" and role not in rule.allowed:
            results[role] = "redirected" if response.status_code == 302 else "not redirected"
        else:
            results[role] = _outcome(response)
    expected = {role: _expected(rule, role) for role in ROLES}

    assert results == expected, route.url
