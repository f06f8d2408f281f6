#!/usr/bin/env python3
"""Quick start: environment, database, demo co-op, a billed month, back office on :8000.

    python3 scripts/start.py [--members N] [--port P]

Creates ./.venv, migrates the configured database (SQLite in ./var by default, or
COOPCIS_DATABASE_URL), loads the demo co-op if the database has no accounts yet,
creates the manager sign-in ``staff`` (``coopcis staff add``; run again, a new one-time
password), loads and bills as that operator (``COOPCIS_OPERATOR=staff``): the latest full
month, once, so running again bills nothing twice; prints the one-time password, and
serves the back office under gunicorn (``coopcis serve``) until Ctrl-C. Outside
production mode the installation's own secrets are generated once and kept in ./var.
"""

from __future__ import annotations

import argparse
import os
import subprocess
from datetime import date, timedelta

from _env import BIN, coopcis_env, ensure_environment, run

HAS_STAFF = "from django.contrib.auth.models import User; raise SystemExit(0 if User.objects.filter(username='staff').exists() else 3)"

HAS_ACCOUNTS = "from coopcis.apps.members.models import Account; raise SystemExit(0 if Account.objects.exists() else 3)"


def _staff_sign_in(coopcis: object) -> str:
    """Add the manager sign-in ``staff`` (or give it a new one-time password); every
    command after this one runs as that operator."""
    os.environ["COOPCIS_OPERATOR"] = "staff"
    exists = run(coopcis, "shell", "--no-imports", "-c", HAS_STAFF, check=False) == 0
    words = ["password", "staff"] if exists else ["add", "staff", "--role", "manager"]
    print("+", coopcis, "staff", *words, flush=True)
    done = subprocess.run(
        [str(coopcis), "staff", *words], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(done.stderr.strip())
    lines = done.stdout.splitlines()
    return lines[lines.index(next(line for line in lines if "One-time password" in line)) + 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--members", type=int, default=20000, help="demo co-op size (default 20000)"
    )
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args()

    ensure_environment()
    coopcis = BIN / "coopcis"
    run(coopcis, "migrate", "--verbosity", "0")
    password = _staff_sign_in(coopcis)
    latest_full_month = (date.today().replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    if run(coopcis, "shell", "--no-imports", "-c", HAS_ACCOUNTS, check=False) == 3:
        run(coopcis, "demo", "--members", str(args.members), "--through", latest_full_month)
    # the main job: bill the latest month (a no-op when it is already billed)
    run(coopcis, "bill-run", "--period", latest_full_month)
    print(
        f"\n  Back office: http://127.0.0.1:{args.port}/\n  Sign in as:  staff / {password}"
        "\n  (a one-time password: you choose your own at the first sign-in)\n",
        flush=True,
    )
    run(coopcis, "serve", "--port", str(args.port), env=coopcis_env(), check=False)


if __name__ == "__main__":
    main()
