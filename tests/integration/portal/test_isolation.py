"""A member never reaches another member's account: every route under /portal/, taken from
the URLconf (so pages added later are covered without listing them), asked by member A
with member B's account number and the ids of B's rows, by GET and by POST.

Parameters are filled by name: ``number`` (and any other ``str`` parameter) with B's
account number or A's own, ``period`` with B's billed month, ``token``/``uidb64`` with
junk, and every ``int`` parameter with the id of each of B's rows in every table that has
an ``account`` foreign key (bills, agreements, payments, requests... whatever exists), plus
B's account, service point and meter. The answer must be 404, 400, 405 or a redirect that
does not lead to B's account, and no answer may show B's number, name, address or email.
"""

from __future__ import annotations

import itertools
import re
import time
from dataclasses import dataclass
from datetime import date

import pytest
from django.apps import apps
from django.db import models
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from coopcis.apps.collections.models import CertificateUpload
from coopcis.apps.members.models import Account, AddressChangeRequest
from coopcis.apps.portal.access import AUTH_AT
from coopcis.apps.portal.models import Invitation
from tests.factories import MeterFactory, MeterInstallationFactory, PartyFactory
from tests.integration.portal.factories import billed_account, member

pytestmark = pytest.mark.django_db

A_NUMBER, B_NUMBER = "7400001", "7400002"
B_MARKERS = (B_NUMBER, "Quintanilla", "Calle Isolada", "beto@example.org")
REFUSED = {400, 404, 405}


@dataclass(frozen=True)
class Route:
    name: str
    pattern: str
    parameters: tuple[tuple[str, str], ...]  # (name, converter)


def portal_routes() -> list[Route]:
    found: list[Route] = []

    def walk(patterns, prefix: str, namespace: str) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                inner = namespace + (f"{entry.namespace}:" if entry.namespace else "")
                walk(entry.url_patterns, prefix + str(entry.pattern), inner)
            elif isinstance(entry, URLPattern):
                pattern = prefix + str(entry.pattern)
                if pattern.startswith("portal/"):
                    parameters = tuple(
                        (name, converter or "str")
                        for converter, name in re.findall(r"<(?:(\w+):)?(\w+)>", pattern)
                    )
                    found.append(Route(namespace + (entry.name or pattern), pattern, parameters))

    walk(get_resolver().url_patterns, "", "")
    return found


def owned_ids(account: Account) -> set[int]:
    """The ids of the account's rows in every table with an ``account`` foreign key, and
    of its service points and meters."""
    ids = {account.pk}
    for model in apps.get_models():
        field = next(
            (
                f
                for f in model._meta.get_fields()
                if isinstance(f, models.ForeignKey)
                and f.name == "account"
                and f.related_model is Account
            ),
            None,
        )
        if field is not None:
            ids.update(model._default_manager.filter(account=account).values_list("pk", flat=True))
    for agreement in account.agreements.select_related("service_point"):
        ids.add(agreement.service_point.pk)
        ids.update(agreement.service_point.installations.values_list("meter_id", flat=True))
    return ids


def fill(route: Route, values: dict[str, str]) -> str:
    url = "/" + route.pattern
    for name, _converter in route.parameters:
        url = re.sub(rf"<(?:\w+:)?{name}>", values[name], url, count=1)
    return url


def candidate_urls(route: Route, a_ids: set[int], b_ids: set[int]) -> list[tuple[str, bool]]:
    """(url, names-only-B): every filling that carries at least one of B's values."""
    choices: list[list[tuple[str, bool, bool]]] = []  # (value, is B's, could be A's)
    for name, converter in route.parameters:
        if name in ("token", "uidb64"):
            choices.append([("x" * 12, False, False)])
        elif name == "period":
            choices.append([("2026-03", False, True)])
        elif converter == "int":
            choices.append([(str(pk), True, pk in a_ids) for pk in sorted(b_ids)])
        else:  # the account number, or any other text parameter
            choices.append([(B_NUMBER, True, False), (A_NUMBER, False, True)])
    urls = []
    for combination in itertools.product(*choices):
        if route.parameters and not any(is_b for _, is_b, _ in combination):
            continue
        values = {
            name: value
            for (name, _), (value, _, _) in zip(route.parameters, combination, strict=True)
        }
        b_values = [maybe_a for _, is_b, maybe_a in combination if is_b]
        clean_b = bool(b_values) and not any(b_values)
        urls.append((fill(route, values), clean_b))
    return urls


@pytest.fixture
def two_members():
    a = billed_account(A_NUMBER)
    b_party = PartyFactory(first_name="Beto", last_name="Quintanilla", email="beto@example.org")
    b = billed_account(
        B_NUMBER,
        account_fields={
            "party": b_party,
            "mailing_line1": "Calle Isolada 99",
            "email": "beto@example.org",
        },
    )
    point = b.agreement.service_point
    MeterInstallationFactory(
        meter=MeterFactory(serial="ISO-B-1"), service_point=point, installed_on=date(2021, 1, 1)
    )
    member_a = member("ana@example.org", a.account)
    member_b = member("beto@example.org", b.account)
    Invitation.objects.create(account=b.account, email="guest@example.org", invited_by=member_b)
    # B's requests and files: their ids are tried on every route with an int parameter
    AddressChangeRequest.objects.create(
        account=b.account,
        line1="Calle Isolada 100",
        city="Socorro",
        state="NM",
        zip_code="87801",
        requested_on=date(2026, 3, 1),
        requested_by="portal:beto@example.org",
    )
    CertificateUpload.objects.create(
        account=b.account,
        filename="quintanilla.pdf",
        content_type="application/pdf",
        size=9,
        sha256="0" * 64,
        data=b"%PDF-1.4\n",
        ill_person="Quintanilla",
        uploaded_on=date(2026, 3, 1),
        uploaded_by="portal:beto@example.org",
    )
    return member_a, a.account, b.account


def signed_in_as(user) -> Client:
    client = Client()
    client.force_login(user)
    session = client.session
    session[AUTH_AT] = time.time()  # re-authenticated just now: sensitive pages answer too
    session.save()
    return client


def test_the_walk_finds_the_portal_routes():
    names = {route.name for route in portal_routes()}

    assert {"portal:home", "portal:invite", "portal:sign_up", "portal:report_outage"} <= names


def walk_problems(member_a, a_account, b_account) -> list[str]:
    a_ids, b_ids = owned_ids(a_account), owned_ids(b_account)
    assert len(b_ids) >= 4  # account, bills, agreement, service point, meter...
    problems: list[str] = []
    for route in portal_routes():
        for url, only_b in candidate_urls(route, a_ids, b_ids):
            for method in ("get", "post"):
                response = getattr(signed_in_as(member_a), method)(url)
                status = response.status_code
                where = f"{method.upper()} {url} ({route.name}) -> {status}"
                location = response.get("Location", "")
                if B_NUMBER in location:
                    problems.append(f"{where}: redirected to {location}")
                if status not in REFUSED and status != 302 and only_b:
                    problems.append(f"{where}: expected 404 or a redirect")
                if status != 404:
                    body = response.content.decode(errors="replace")
                    shown = [marker for marker in B_MARKERS if marker in body]
                    if shown:
                        problems.append(f"{where}: shows {shown}")
    return problems


def test_no_portal_route_gives_member_a_anything_of_member_b(two_members):
    assert walk_problems(*two_members) == []


def test_the_walk_can_fail_on_a_page_that_trusts_the_url(two_members, monkeypatch):
    """A page that found the account by number without access.py would be caught."""
    from coopcis.apps.portal import views

    def careless(user, number):
        return Account.objects.get(number=number)

    monkeypatch.setattr(views, "get_linked_account_or_404", careless)
    monkeypatch.setattr(views.services, "is_holder", lambda user, account: True)

    problems = walk_problems(*two_members)

    assert (
        f"GET /portal/accounts/{B_NUMBER}/invite/ (portal:invite) -> 200: expected 404 or a redirect"
        in problems
    )
    assert any("(portal:invite) -> 200: shows ['7400002'" in problem for problem in problems)
