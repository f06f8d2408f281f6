"""`coopcis serve` runs the site under a real gunicorn process: pages with their security
headers, static files from WhiteNoise, access lines, unhandled errors logged with their
traceback and answered as JSON by the APIs; in production mode, HTTPS only."""

from __future__ import annotations

import http.client
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.integration.site.processes import (
    COOPCIS,
    clean_environment,
    coopcis,
    once,
    production_secrets,
)

pytestmark = [pytest.mark.slow, once]
PORTS = iter(range(8171, 8180))


@contextmanager
def served(env: dict[str, str], cwd: Path, *options: str) -> Iterator[tuple[int, Path, Path]]:
    """A `coopcis serve` process on a free port of this suite's range; stopped after."""
    port = next(PORTS)
    out, err = cwd / f"access-{port}.log", cwd / f"error-{port}.log"
    with out.open("w") as stdout, err.open("w") as stderr:
        process = subprocess.Popen(
            [str(COOPCIS), "serve", "--port", str(port), "--workers", "2", *options],
            env=env,
            cwd=cwd,
            stdout=stdout,
            stderr=stderr,
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        raise AssertionError(err.read_text()) from None
                    time.sleep(0.2)
            yield port, out, err
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)


def get(port: int, path: str, **headers: str) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    response.body = response.read()  # type: ignore[attr-defined]
    connection.close()
    return response


def wait_for(path: Path, text: str) -> str:
    deadline = time.monotonic() + 10
    while text not in path.read_text() and time.monotonic() < deadline:
        time.sleep(0.2)
    return path.read_text()


@pytest.fixture
def migrated(tmp_path) -> tuple[dict[str, str], Path]:
    env = clean_environment(tmp_path / "var")
    result = coopcis("migrate", "--verbosity", "0", env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    return env, tmp_path


def test_the_site_is_served_by_gunicorn_with_its_headers_and_static_files(migrated):
    env, cwd = migrated
    with served(env, cwd) as (port, access, errors):
        page = get(port, "/sign-in/")
        css = get(port, "/static/backoffice/backoffice.css")
        missing = get(port, "/api/v1/no-such-thing")
        searched = get(port, "/?q=maria+baca")

        assert page.status == 200 and page.getheader("Server") == "gunicorn"
        assert "default-src 'self'" in page.getheader("Content-Security-Policy")
        assert "no-store" in page.getheader("Cache-Control")
        assert css.status == 200 and css.getheader("Content-Type").startswith("text/css")
        assert missing.status == 404 and missing.body == b'{"error": "not found"}'
        assert searched.status == 302  # to the sign-in page
        logged = wait_for(access, '"GET /" 302')
        assert (
            '"GET /sign-in/" 200' in logged
            and '"GET /static/backoffice/backoffice.css" 200' in logged
        )
        assert "baca" not in logged  # no query strings: a search names a member
    assert "Booting worker" in errors.read_text()


def test_an_unhandled_error_is_logged_with_its_traceback_and_answered_in_json(migrated):
    env, cwd = migrated
    database = cwd / "var" / "coopcis.sqlite3"
    with served(env, cwd) as (port, _, errors):
        # the database vanishes under the running server: every query now fails
        database.rename(cwd / "moved-away.sqlite3")
        answer = get(
            port, "/api/v1/payments/accounts/1/balance", Authorization="Bearer cpk_abc_def"
        )

        assert answer.status == 500
        assert answer.body == b'{"error": "internal server error"}'
        log = wait_for(errors, "OperationalError")
    assert "ERROR django.request" in log and "Internal Server Error: /api/v1/payments" in log
    assert "Traceback (most recent call last)" in log
    assert "no such table" in log


def test_production_mode_serves_https_only(tmp_path):
    env = clean_environment(
        tmp_path / "var",
        COOPCIS_ENV="production",
        COOPCIS_BEHIND_TLS_PROXY="1",
        **production_secrets(),
    )
    assert coopcis("migrate", "--verbosity", "0", env=env, cwd=tmp_path).returncode == 0
    with served(env, tmp_path) as (port, _, _):
        plain = get(port, "/sign-in/")
        proxied = get(port, "/sign-in/", **{"X-Forwarded-Proto": "https"})

    assert (
        plain.status == 301 and plain.getheader("Location") == f"https://127.0.0.1:{port}/sign-in/"
    )
    assert proxied.status == 200
    assert proxied.getheader("Strict-Transport-Security") == (
        "max-age=31536000; includeSubDomains; preload"
    )
    cookie = proxied.getheader("Set-Cookie")
    assert "csrftoken=" in cookie and "Secure" in cookie


def test_serve_refuses_to_start_production_mode_without_its_secrets(tmp_path):
    env = clean_environment(tmp_path / "var", COOPCIS_ENV="production")

    result = coopcis("serve", "--port", "8179", env=env, cwd=tmp_path, timeout=60)

    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "COOPCIS_GATEWAY_SECRET is not set" in result.stderr
