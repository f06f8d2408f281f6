"""COOPCIS_EMAIL_URL read into Django's SMTP settings."""

from __future__ import annotations

import pytest

from coopcis.core.errors import RuleViolation
from coopcis.core.mail_url import CONSOLE_BACKEND, SMTP_BACKEND, parse_mail_url


def test_console_is_the_console_backend():
    assert parse_mail_url("console:").backend == CONSOLE_BACKEND


def test_plain_smtp_with_its_port():
    mail = parse_mail_url("smtp://relay.example.org:2525")

    assert (mail.backend, mail.host, mail.port) == (SMTP_BACKEND, "relay.example.org", 2525)
    assert (mail.use_tls, mail.use_ssl, mail.user, mail.password) == (False, False, "", "")


def test_starttls_with_percent_encoded_credentials_and_default_port():
    mail = parse_mail_url("smtp+tls://notices%40ocec.example:p%3Ass@mail.example.org")

    assert (mail.port, mail.use_tls, mail.use_ssl) == (587, True, False)
    assert (mail.user, mail.password) == ("notices@ocec.example", "p:ss")


def test_implicit_tls_and_a_timeout():
    mail = parse_mail_url("smtps://u:p@mail.example.org?timeout=30")

    assert (mail.port, mail.use_ssl, mail.use_tls, mail.timeout) == (465, True, False, 30)


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("http://mail.example.org", "unknown scheme"),
        ("smtp://", "no host"),
        ("smtp://mail.example.org:notaport", "bad port"),
        ("smtp://mail.example.org?timeout=soon", "timeout"),
    ],
)
def test_a_malformed_url_is_refused_naming_the_variable(url, says):
    with pytest.raises(RuleViolation) as refused:
        parse_mail_url(url)

    assert refused.value.field == "COOPCIS_EMAIL_URL"
    assert says in refused.value.message


def test_the_password_is_not_repeated_in_the_error():
    with pytest.raises(RuleViolation) as refused:
        parse_mail_url("smtp+tls://user:hunter2@mail.example.org:port")

    assert "hunter2" not in str(refused.value)


def test_console_mail_goes_to_standard_error_not_a_commands_output(capsys):
    from django.core.mail import EmailMessage, get_connection

    connection = get_connection(parse_mail_url("console:").backend)
    connection.send_messages(
        [EmailMessage("Your capital credits", "body", "coop@example.org", ["m@example.org"])]
    )
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("Subject: Your capital credits") == 1
