"""``/api/schema``: the OpenAPI document of both JSON APIs, built by django-ninja."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_the_schema_describes_every_operation_of_both_apis():
    response = Client().get("/api/schema")

    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    operations = {
        f"{method.upper()} {path}" for path, item in document["paths"].items() for method in item
    }
    assert operations == {
        "POST /api/v1/payments",
        "GET /api/v1/payments/accounts/{number}/balance",
        "POST /api/v1/payments/gateway/callback",
        "GET /api/v1/accounts/{number}",
        "PATCH /api/v1/accounts/{number}",
        "POST /api/v1/applications",
        "POST /api/v1/meters/{serial}/install",
        "POST /api/v1/outages/reports",
        "POST /api/v1/outages/ami",
    }
    payment = document["paths"]["/api/v1/payments"]["post"]
    body = payment["requestBody"]["content"]["application/json"]["schema"]
    assert body["properties"]["amount"]["pattern"] == r"^[0-9]{1,10}(\.[0-9]{1,2})?$"
    assert body["additionalProperties"] is False
    assert {"201", "200", "400", "401", "402", "409", "429", "504"} <= set(payment["responses"])
    assert document["components"]["securitySchemes"]["ChannelKey"]["scheme"] == "bearer"
    assert "$defs" not in str(document["paths"]["/api/v1/applications"])


def test_an_unknown_method_on_an_api_path_is_405():
    response = Client().delete("/api/v1/payments")

    assert response.status_code == 405
