"""The README's first command, `python3 scripts/start.py`, serves the billed demo co-op
through gunicorn, and the staff sign-in it prints works: once, to choose a password."""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.integration.site.processes import clean_environment, once

pytestmark = [pytest.mark.slow, once]
ROOT = Path(__file__).resolve().parents[3]
PORT = 8178


def test_the_quick_start_serves_the_demo_through_gunicorn(tmp_path):
    env = clean_environment(tmp_path / "var")
    process = subprocess.Popen(
        [sys.executable, "scripts/start.py", "--members", "6", "--port", str(PORT)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        password, output = "", []
        deadline = time.monotonic() + 600
        assert process.stdout is not None
        while time.monotonic() < deadline and not password:
            line = process.stdout.readline()
            if not line:
                break
            output.append(line)
            found = re.search(r"Sign in as:\s+staff / (\S+)", line)
            password = found.group(1) if found else ""
        assert password, "".join(output)[-3000:]
        opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        base = f"http://127.0.0.1:{PORT}"
        page = None
        while page is None and time.monotonic() < deadline:
            try:
                page = opener.open(f"{base}/sign-in/", timeout=10)
            except OSError:
                time.sleep(0.5)
        assert page is not None and page.headers["Server"] == "gunicorn"
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.read().decode())
        assert token is not None
        form = {"csrfmiddlewaretoken": token.group(1), "username": "staff", "password": password}

        signed_in = opener.open(
            f"{base}/sign-in/", urllib.parse.urlencode(form).encode(), timeout=30
        )
        assert signed_in.url == f"{base}/password/"  # a one-time password
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', signed_in.read().decode())
        assert token is not None
        new = "a-quick-start-passphrase-7"
        change = {
            "csrfmiddlewaretoken": token.group(1),
            "old_password": password,
            "new_password1": new,
            "new_password2": new,
        }
        home = opener.open(f"{base}/password/", urllib.parse.urlencode(change).encode(), timeout=30)

        assert home.status == 200 and home.url == f"{base}/"
        assert "Sign out" in home.read().decode()
        assert (tmp_path / "var" / "secret-key").exists()  # its own key, not a public one
    finally:
        os.killpg(process.pid, signal.SIGINT)
        process.wait(timeout=60)
