"""The channel a message goes by, the keywords members text back, and Twilio's signature."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest

from coopcis.core.notifications.channels import Channel, choose_channel
from coopcis.core.notifications.sms import Keyword, is_signed, keyword, twilio_signature
from coopcis.core.phones import e164

EMAIL, SMS, OFF = Channel.EMAIL, Channel.SMS, Channel.OFF


def decide(chosen=None, default=EMAIL, required=False, email=True, mobile=True, stop=False):
    return choose_channel(
        chosen=chosen,
        default=default,
        required=required,
        has_email=email,
        has_mobile=mobile,
        sms_opted_out=stop,
    )


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ({}, EMAIL),  # never chosen: the kind's default
        ({"default": SMS}, SMS),
        ({"default": SMS, "mobile": False}, EMAIL),  # a default falls back
        ({"default": SMS, "stop": True}, EMAIL),
        ({"chosen": SMS}, SMS),
        ({"chosen": SMS, "mobile": False}, None),  # a choice is never swapped
        ({"chosen": SMS, "stop": True}, None),
        ({"chosen": EMAIL, "email": False}, None),
        ({"chosen": OFF}, None),
        ({"chosen": OFF, "required": True}, EMAIL),  # a legal notice cannot be turned off
        ({"chosen": OFF, "required": True, "email": False}, SMS),
        ({"default": OFF}, None),
        ({"email": False, "mobile": False}, None),
    ],
)
def test_the_channel(case, expected):
    assert decide(**case).channel == expected


def test_a_message_not_sent_says_why():
    assert decide(chosen=SMS, stop=True).reason == "the member's mobile number texted STOP"
    assert decide(chosen=OFF).reason == "the member turned this kind off"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("STOP", Keyword.STOP),
        (" stop. ", Keyword.STOP),
        ("Stop all", Keyword.STOP),
        ("unsubscribe", Keyword.STOP),
        ("Parar!", Keyword.STOP),
        ("START", Keyword.START),
        ("unstop", Keyword.START),
        ("help", Keyword.HELP),
        ("Ayuda", Keyword.HELP),
        ("please stop texting me", None),  # a keyword is the whole message
        ("", None),
    ],
)
def test_keywords(body, expected):
    assert keyword(body) == expected


def test_the_signature_is_hmac_sha1_of_the_url_and_the_sorted_parameters():
    url = "https://coop.example/notify/sms/inbound"
    params = [("To", "+15755550100"), ("Body", "STOP"), ("From", "+15756824411")]
    # by hand: the URL, then Body, From, To (sorted), each name followed by its value
    payload = url + "BodySTOP" + "From+15756824411" + "To+15755550100"
    expected = base64.b64encode(hmac.new(b"token", payload.encode(), hashlib.sha1).digest())

    assert twilio_signature("token", url, params) == expected.decode()
    assert is_signed("token", url, params, expected.decode())
    assert not is_signed("token", url + "?x=1", params, expected.decode())
    assert not is_signed("", url, params, "")


def test_phone_numbers_in_e164():
    assert e164("(575) 682-4411") == "+15756824411"
    assert e164("+52 55 1234 5678") == "+525512345678"
    with pytest.raises(ValueError, match="not a valid phone number"):
        e164("575-000-0000")
    with pytest.raises(ValueError):
        e164("")
