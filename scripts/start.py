#!/usr/bin/env python3
"""Quick start: environment, database, demo co-op, a billed month, back office on :8000.

    python3 scripts/start.py [--members N] [--port P]

Creates ./.venv, migrates the configured database (SQLite in ./var by default, or
COOPCIS_DATABASE_URL), loads the demo co-op if the database has no accounts yet,
bills the latest full month (once: running again bills nothing twice), creates (or resets) the sign-in ``staff`` with a fresh random password, prints it,
and serves the back office under gunicorn (``coopcis serve``) until Ctrl-C. Outside
production mode the installation's own secrets are generated once and kept in ./var.
"""

from __future__ import annotations

import argparse
import secrets
from datetime import date, timedelta

from _env import BIN, coopcis_env, ensure_environment, run

CREATE_STAFF = """
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
user, _ = get_user_model().objects.get_or_create(username="staff")
user.is_staff = True
user.is_superuser = True
user.set_password({password!r})
user.save()
user.groups.add(Group.objects.get(name="Manager"))
"""

HAS_ACCOUNTS = "from coopcis.apps.members.models import Account; raise SystemExit(0 if Account.objects.exists() else 3)"


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
    latest_full_month = (date.today().replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    if run(coopcis, "shell", "--no-imports", "-c", HAS_ACCOUNTS, check=False) == 3:
        run(coopcis, "demo", "--members", str(args.members), "--through", latest_full_month)
    # the main job: bill the latest month (a no-op when it is already billed)
    run(coopcis, "bill-run", "--period", latest_full_month)
    password = secrets.token_urlsafe(12)
    run(coopcis, "shell", "--no-imports", "-c", CREATE_STAFF.format(password=password))
    print(
        f"\n  Back office: http://127.0.0.1:{args.port}/\n  Sign in as:  staff / {password}\n",
        flush=True,
    )
    run(coopcis, "serve", "--port", str(args.port), env=coopcis_env(), check=False)


if __name__ == "__main__":
    main()
