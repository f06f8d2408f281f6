"""Text messages: Twilio's request as Twilio documents it (against a local fake of its
API), and the inbound webhook honouring STOP, START and HELP, signed as Twilio signs."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs

import pytest
from django.test import Client

from coopcis.apps.notify import sms
from coopcis.apps.notify.models import SmsOptOut
from coopcis.apps.notify.services import is_opted_out, set_contact
from coopcis.apps.notify.sms import SmsError, TwilioProvider, provider_from_url, sms_provider
from coopcis.core.notifications.sms import twilio_signature

pytestmark = pytest.mark.django_db

WEBHOOK = "http://testserver/notify/sms/inbound"


class FakeTwilio(BaseHTTPRequestHandler):
    """Answers as Twilio's Messages API does; keeps what it was asked."""

    requests: list[dict[str, object]]
    answer: tuple[int, dict[str, object]]

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        self.requests.append(
            {
                "path": self.path,
                "authorization": self.headers["Authorization"],
                "content_type": self.headers["Content-Type"],
                "form": parse_qs(self.rfile.read(length).decode()),
            }
        )
        status, body = self.answer
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def fake_twilio() -> Iterator[type[FakeTwilio]]:
    handler = type("Handler", (FakeTwilio,), {"requests": [], "answer": (201, {"sid": "SM1"})})
    server = HTTPServer(("127.0.0.1", 0), handler)  # a free port the system picks
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    handler.url = f"http://127.0.0.1:{server.server_port}"  # type: ignore[attr-defined]
    yield handler
    server.shutdown()
    server.server_close()


def twilio(fake: type[FakeTwilio]) -> TwilioProvider:
    provider = provider_from_url(
        f"twilio://AC0123456789abcdef:s3cr%2Ft@+15755550100?api={fake.url}"  # type: ignore[attr-defined]
    )
    assert isinstance(provider, TwilioProvider)
    return provider


def test_twilio_gets_a_form_post_with_basic_auth_to_the_accounts_messages(fake_twilio):
    fake_twilio.answer = (201, {"sid": "SM7f3a", "status": "queued"})

    sid = twilio(fake_twilio).send(to="+15756824411", body="OCEC: tu factura ¿lista?")

    assert sid == "SM7f3a"
    [request] = fake_twilio.requests
    assert request["path"] == "/2010-04-01/Accounts/AC0123456789abcdef/Messages.json"
    assert (
        request["authorization"]
        == "Basic " + base64.b64encode(b"AC0123456789abcdef:s3cr/t").decode()
    )
    assert request["content_type"] == "application/x-www-form-urlencoded"
    assert request["form"] == {
        "To": ["+15756824411"],
        "From": ["+15755550100"],
        "Body": ["OCEC: tu factura ¿lista?"],
    }


def test_a_messaging_service_sends_as_messaging_service_sid(fake_twilio):
    provider = provider_from_url(f"twilio://AC1:tok@MGabc123?api={fake_twilio.url}")
    provider.send(to="+15756824411", body="hi")
    assert fake_twilio.requests[0]["form"]["MessagingServiceSid"] == ["MGabc123"]


def test_twilio_refusing_an_unsubscribed_number_says_so(fake_twilio):
    fake_twilio.answer = (
        400,
        {"code": 21610, "message": "Attempt to send to unsubscribed recipient", "status": 400},
    )

    with pytest.raises(SmsError) as refused:
        twilio(fake_twilio).send(to="+15756824411", body="hi")

    assert refused.value.opted_out and "21610" in str(refused.value)


def test_an_unknown_provider_is_a_configuration_error():
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="no SMS provider 'carrierpigeon'"):
        provider_from_url("carrierpigeon://x")
    with pytest.raises(ImproperlyConfigured, match="twilio://ACCOUNT_SID"):
        provider_from_url("twilio://AC1@+15755550100")


def inbound(client: Client, body: str, *, sender: str = "+15756824411", signed: bool = True):
    params = {"From": sender, "To": "+15755550100", "Body": body, "MessageSid": "SM9"}
    provider = sms_provider()
    assert isinstance(provider, sms.SimulatorProvider)
    headers = {"HTTP_X_TWILIO_SIGNATURE": provider.sign(WEBHOOK, params.items())}
    return client.post("/notify/sms/inbound", params, **(headers if signed else {}))


def test_stop_opts_the_number_out_and_start_back_in(client):
    answer = inbound(client, " stop ")

    assert answer.status_code == 200 and answer["Content-Type"].startswith("text/xml")
    assert is_opted_out("+15756824411")
    inbound(client, "Start")
    assert not is_opted_out("+15756824411")
    assert SmsOptOut.objects.get().keyword == "Start"


def test_a_spanish_stop_counts_and_other_texts_change_nothing(client):
    inbound(client, "Hola, ¿cuándo vuelve la luz?")
    assert not SmsOptOut.objects.exists()
    inbound(client, "PARAR", sender="(575) 682-4412")
    assert is_opted_out("+15756824412")


def test_an_unsigned_or_forged_inbound_message_is_refused(client):
    assert inbound(client, "STOP", signed=False).status_code == 403
    forged = client.post(
        "/notify/sms/inbound",
        {"From": "+15756824411", "Body": "STOP"},
        HTTP_X_TWILIO_SIGNATURE=twilio_signature("guessed", WEBHOOK, [("Body", "STOP")]),
    )
    assert forged.status_code == 403 and not SmsOptOut.objects.exists()


def test_help_answers_in_the_members_language(client, member):
    member.language = "ES"
    member.save()
    set_contact(party=member.party, email="", mobile_phone="575-682-4411")

    answer = inbound(client, "AYUDA").content.decode()

    assert "<Message>OCEC: notificaciones para socios." in answer
    assert "Responda STOP" in answer
