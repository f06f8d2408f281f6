"""Settings for coopcis.

The embedded default is SQLite in ``./var/coopcis.sqlite3`` (WAL mode). Set
``COOPCIS_DATABASE_URL=postgresql://user@host:5432/name`` for PostgreSQL, the
production database. ``COOPCIS_VAR_DIR`` moves the data folder; ``COOPCIS_PROFILE``
picks the co-op profile (``ocec`` or ``sec``).
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

VAR_DIR = Path(os.environ.get("COOPCIS_VAR_DIR", Path.cwd() / "var")).resolve()
DEBUG = os.environ.get("COOPCIS_DEBUG") == "1"
SECRET_KEY = os.environ.get("COOPCIS_SECRET_KEY", "coopcis-local-development-key-change-me")
ALLOWED_HOSTS = os.environ.get("COOPCIS_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
COOPCIS_PROFILE = os.environ.get("COOPCIS_PROFILE", "ocec")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "coopcis.apps.audit",
    "coopcis.apps.staff",
    "coopcis.apps.members",
    "coopcis.apps.premises",
    "coopcis.apps.metering",
    "coopcis.apps.ledger",
    "coopcis.apps.billing",
    "coopcis.apps.receivables",
    "coopcis.apps.payments",
    "coopcis.apps.credit",
    "coopcis.apps.collections",
    "coopcis.apps.backoffice",
    "coopcis.apps.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # serves the back office's CSS straight from the apps: no web server needed on one box
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "coopcis.apps.audit.middleware.AuditActorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "coopcis.site.urls"
WSGI_APPLICATION = "coopcis.site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "coopcis.apps.backoffice.context.co_op_profile",
            ]
        },
    }
]


def _database() -> dict[str, object]:
    url = os.environ.get("COOPCIS_DATABASE_URL")
    if url:
        config: dict[str, object] = dict(dj_database_url.parse(url, conn_max_age=60))
        test_name = os.environ.get("COOPCIS_TEST_DATABASE_NAME")
        if test_name:
            config["TEST"] = {"NAME": test_name}
        return config
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(VAR_DIR / "coopcis.sqlite3"),
        "OPTIONS": {
            # WAL lets the web UI read while a bill run writes; IMMEDIATE takes the write
            # lock at BEGIN, so concurrent writers wait instead of failing mid-transaction.
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA foreign_keys=ON;",
        },
    }


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "backoffice:login"
LOGIN_REDIRECT_URL = "backoffice:search"
LOGOUT_REDIRECT_URL = "backoffice:login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "America/Denver"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Set for `coopcis collectstatic` behind a web server; unset, WhiteNoise serves the files
# straight from the apps, so a one-server install needs no collectstatic step.
STATIC_ROOT = os.environ.get("COOPCIS_STATIC_ROOT") or None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
