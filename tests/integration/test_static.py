"""The back office's stylesheet is served without a separate web server (WhiteNoise)."""

import pytest
from django.conf import settings


@pytest.mark.django_db
def test_stylesheet_is_served_with_debug_off(client):
    assert not settings.DEBUG
    response = client.get("/static/backoffice/backoffice.css")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")
    assert b"{" in b"".join(response.streaming_content)
