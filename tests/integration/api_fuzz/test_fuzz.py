"""Both JSON APIs fuzzed from their OpenAPI document (``/api/schema``) with schemathesis
against a live server: whatever a front end or a script sends, neither API answers 5xx.

Bounded: a fixed number of generated requests per operation (positive and negative
cases), about a minute in all. The only 5xx the payments API may give is its documented
504 (the card processor did not answer), which needs a token made to time out.
"""

from __future__ import annotations

import os
import secrets

import pytest
import schemathesis
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import Case, GenerationMode
from schemathesis.checks import not_a_server_error

from coopcis.apps.payments.keys import create_api_key, set_key_limits
from coopcis.apps.premises.models import ServicePoint
from tests.factories import MeterFactory
from tests.integration.backoffice.factories import staff_user

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

AMI_KEY = "fuzzing-ami-key"
EXAMPLES = int(os.environ.get("COOPCIS_FUZZ_EXAMPLES", "40"))


@pytest.fixture
def front_end_and_staff(small_coop, live_server) -> dict[str, object]:
    """A kiosk's key (with room for the whole run) and a signed-in staff session with its
    CSRF token, so that requests get past sign-in into the views."""
    spare = MeterFactory(serial="FUZZ-1")
    issued = create_api_key(channel="KIOSK", name="Fuzzing kiosk")
    set_key_limits(prefix=issued.record.prefix, requests_per_minute=100_000)
    client = Client()
    client.force_login(staff_user("manager", username="fuzz"))
    csrf = secrets.token_hex(16)  # 32 characters: Django takes it as the cookie's secret
    phone = create_api_key(channel="IVR", name="Fuzzing phone system")
    set_key_limits(prefix=phone.record.prefix, requests_per_minute=100_000)
    return {
        "bearer": issued.key,
        "ivr": phone.key,
        "cookies": {"sessionid": client.cookies["sessionid"].value, "csrftoken": csrf},
        "csrf": csrf,
        # real records, so that requests get past "no such account" into the rules
        "real": {
            "number": small_coop.home.number,
            "account": small_coop.lights.number,
            "serial": spare.serial,
            "service_point": ServicePoint.objects.order_by("id").values_list("code", flat=True)[0],
        },
    }


def _with_real_records(case: Case, real: dict[str, str]) -> Case:
    """Half the cases name an account, meter or service point that exists, and send a
    fresh Idempotency-Key, so that they reach the rules and the ledger."""
    if case.operation.label == "POST /api/v1/payments":
        case.headers = {**(case.headers or {}), "Idempotency-Key": secrets.token_hex(8)}
    for name in ("number", "serial"):
        if name in (case.path_parameters or {}):
            case.path_parameters[name] = real[name]
    if isinstance(case.body, dict):
        for name in ("account", "service_point"):
            if name in case.body:
                case.body[name] = real[name]
    return case


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_request_makes_an_api_answer_5xx(live_server, front_end_and_staff, mode, settings):
    settings.COOPCIS_AMI_KEY = AMI_KEY
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/schema")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 9

    for operation in operations:
        _fuzz(operation, mode, live_server.url, front_end_and_staff)


def _fuzz(operation, mode: GenerationMode, url: str, data: dict) -> None:  # type: ignore[type-arg]
    """``EXAMPLES`` generated requests to one operation; each must not answer 5xx."""
    headers = {"X-CSRFToken": str(data["csrf"])}
    if operation.path.startswith("/api/v1/payments") and "gateway" not in operation.path:
        headers["Authorization"] = f"Bearer {data['bearer']}"
    if operation.path == "/api/v1/outages/reports":
        headers["Authorization"] = f"Bearer {data['ivr']}"
    if operation.path == "/api/v1/outages/ami":
        headers["Authorization"] = f"Bearer {AMI_KEY}"
    cases = st.tuples(operation.as_strategy(generation_mode=mode), st.booleans()).map(
        lambda pair: _with_real_records(pair[0], data["real"]) if pair[1] else pair[0]
    )

    @given(case=cases)
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    def call(case: Case) -> None:
        response = case.call(
            base_url=url,
            headers={**(case.headers or {}), **headers},  # our key, not a generated one
            cookies=data["cookies"],
        )
        case.validate_response(response, checks=[not_a_server_error])

    call()
