"""Every page: a Content-Security-Policy and no caching; the staff session ends after 30
minutes idle; the JSON APIs answer JSON for every error they can return."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import path
from django.utils import timezone

from coopcis.site import urls as site_urls
from coopcis.site.middleware import RENEWED_AT
from tests.integration.backoffice.factories import staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(settings) -> Client:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    client = Client()
    client.force_login(staff_user("billing"))
    return client


def test_pages_carry_a_strict_content_security_policy(signed_in):
    response = signed_in.get("/")

    assert response.status_code == 200
    policy = dict(
        directive.strip().split(" ", 1)
        for directive in response["Content-Security-Policy"].split(";")
    )
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'" and policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'"


def _pdf(request):
    from django.http import HttpResponse

    return HttpResponse(b"%PDF-1.4 bill", content_type="application/pdf")


def test_a_pdf_gets_a_policy_the_browsers_pdf_viewer_can_work_under(settings, client):
    class Urls:
        urlpatterns = [path("bills/1.pdf", _pdf), *site_urls.urlpatterns]

    settings.ROOT_URLCONF = Urls

    response = client.get("/bills/1.pdf")

    assert response["Content-Security-Policy"] == "frame-ancestors 'none'"
    assert "no-store" in response["Cache-Control"]


def test_pages_with_member_data_are_never_stored(signed_in, maria):
    response = signed_in.get(f"/accounts/{maria.account.number}/")

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_the_stylesheet_stays_cacheable(client):
    response = client.get("/static/backoffice/backoffice.css")

    assert "no-store" not in response.get("Cache-Control", "")


def test_a_request_renews_a_session_once_a_minute(signed_in):
    # the sign-in was 20 minutes ago, the latest renewal too: 10 minutes remain
    session = signed_in.session
    session[RENEWED_AT] -= 20 * 60
    session.save()
    Session.objects.update(expire_date=timezone.now() + timedelta(minutes=10))

    assert signed_in.get("/").status_code == 200

    remaining = Session.objects.get().expire_date - timezone.now()
    assert timedelta(minutes=29) < remaining <= timedelta(minutes=30)
    assert signed_in.cookies["sessionid"]["max-age"] == 1800


def test_a_sign_in_is_the_sessions_first_renewal(signed_in):
    # force_login, before any request: the sign-in itself stamped the session, so the
    # first page (within the minute) writes no session
    assert RENEWED_AT in signed_in.session
    before = Session.objects.get().expire_date

    assert signed_in.get("/").status_code == 200

    assert Session.objects.get().expire_date == before


def test_a_page_within_the_minute_writes_no_session(signed_in, django_assert_num_queries):
    signed_in.get("/")
    before = Session.objects.get().expire_date

    signed_in.get("/")

    assert Session.objects.get().expire_date == before


def test_a_staff_session_ends_after_30_minutes_idle(signed_in):
    assert signed_in.get("/").status_code == 200
    # 31 minutes pass without a request
    Session.objects.update(expire_date=timezone.now() - timedelta(minutes=1))

    response = signed_in.get("/")

    assert response.status_code == 302 and response["Location"].startswith("/sign-in/")


@pytest.fixture
def maria(db):
    from tests.integration.backoffice.factories import described_account

    return described_account()


# -- JSON errors from the JSON APIs ---------------------------------------------------------


def _boom(request):
    raise RuntimeError("the ledger caught fire")


@pytest.fixture
def failing_api(settings):
    """A URL under /api/ whose view raises, as an unforeseen bug would."""

    class Urls:
        urlpatterns = [path("api/v1/boom", _boom), *site_urls.urlpatterns]

    settings.ROOT_URLCONF = Urls
    return "/api/v1/boom"


def test_an_unknown_api_url_is_a_json_404(client):
    response = client.get("/api/v1/no-such-thing")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"error": "not found"}


def test_a_wrong_method_is_a_json_405(client):
    response = client.get("/api/v1/payments/gateway/callback")

    assert response.status_code == 405
    assert response.json() == {"error": "method not allowed; allowed: POST"}
    assert response["Allow"] == "POST"


def test_a_body_over_the_limit_is_a_json_413(client, settings):
    from coopcis.apps.payments.keys import create_api_key

    issued = create_api_key(channel="ONLINE", name="portal")
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000

    response = client.post(
        "/api/v1/payments",
        data=b"{" + b" " * 2000 + b"}",
        content_type="application/json",
        headers={"Authorization": f"Bearer {issued.key}", "Idempotency-Key": "k"},
    )

    assert response.status_code == 413
    assert response.json() == {"error": "the request body is too large"}


def test_a_refused_csrf_token_is_json_under_the_api(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff_user("billing"))

    response = client.post("/api/v1/applications", data="{}", content_type="application/json")
    page = client.post("/sign-out/")

    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"].lower().startswith("csrf check failed")
    assert page.status_code == 403 and page["Content-Type"].startswith("text/html")


def test_an_unhandled_error_is_a_json_500_and_logged_with_its_traceback(failing_api, caplog):
    client = Client(raise_request_exception=False)

    with caplog.at_level("ERROR", logger="django.request"):
        response = client.get(failing_api)

    assert response.status_code == 500
    assert response.json() == {"error": "internal server error"}
    record = next(r for r in caplog.records if r.name == "django.request")
    assert record.exc_info is not None and "the ledger caught fire" in str(record.exc_info[1])
