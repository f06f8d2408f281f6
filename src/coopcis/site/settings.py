"""Settings for coopcis.

The embedded default is SQLite in ``./var/coopcis.sqlite3`` (WAL mode). Set
``COOPCIS_DATABASE_URL=postgresql://user@host:5432/name`` for PostgreSQL, the
production database. ``COOPCIS_VAR_DIR`` moves the data folder; ``COOPCIS_PROFILE``
picks the co-op profile (``ocec`` or ``sec``). ``COOPCIS_ENV=production`` turns on
production mode: it refuses to start without its secrets (``coopcis.site.environment``)
and turns on HTTPS-only cookies, HSTS and the redirect to HTTPS.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from coopcis.catalog.profiles import load_profile
from coopcis.core.errors import RuleViolation
from coopcis.core.mail_url import parse_mail_url
from coopcis.site.environment import PRODUCTION, load_secrets, parse_field_keys, read_mode

VAR_DIR = Path(os.environ.get("COOPCIS_VAR_DIR", Path.cwd() / "var")).resolve()
COOPCIS_PROFILE = os.environ.get("COOPCIS_PROFILE", "ocec")

# --- Mode and secrets -----------------------------------------------------------------
# Production takes every secret from the environment and refuses to start without one;
# development generates each once and keeps it in VAR_DIR (coopcis.site.environment).
COOPCIS_ENV = read_mode(os.environ)
IS_PRODUCTION = COOPCIS_ENV == PRODUCTION
DEBUG = os.environ.get("COOPCIS_DEBUG") == "1"
if IS_PRODUCTION and DEBUG:
    raise ImproperlyConfigured("COOPCIS_DEBUG=1 shows tracebacks to anyone: not in production")
_SECRETS = load_secrets(mode=COOPCIS_ENV, var_dir=VAR_DIR, environ=os.environ)
SECRET_KEY = _SECRETS["COOPCIS_SECRET_KEY"]
#: HMAC secret of the payment processor's callbacks (coopcis.apps.payments.gateway).
COOPCIS_GATEWAY_SECRET = _SECRETS["COOPCIS_GATEWAY_SECRET"]
#: The key the AMI head-end sends with its meter events (POST /api/v1/outages/ami); empty
#: turns the endpoint off (every request 401).
COOPCIS_AMI_KEY = os.environ.get("COOPCIS_AMI_KEY", "").strip()
#: Fernet keys for bank account numbers: the first encrypts, all of them decrypt.
COOPCIS_FIELD_KEYS = parse_field_keys(_SECRETS["COOPCIS_FIELD_KEY"])
ALLOWED_HOSTS = os.environ.get(
    "COOPCIS_ALLOWED_HOSTS",
    "127.0.0.1,localhost" if IS_PRODUCTION else "127.0.0.1,localhost,testserver",
).split(",")

INSTALLED_APPS = [
    # the admin for superusers and reference data only (coopcis/site/admin.py)
    "coopcis.site.admin.ReferenceDataAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "csp",
    "coopcis.apps.audit",
    "coopcis.apps.staff",
    "coopcis.apps.members",
    "coopcis.apps.premises",
    "coopcis.apps.notify",
    "coopcis.apps.jobs",
    "coopcis.apps.metering",
    "coopcis.apps.ledger",
    "coopcis.apps.billing",
    "coopcis.apps.loans",
    "coopcis.apps.rebates",
    "coopcis.apps.receivables",
    "coopcis.apps.netmetering",
    "coopcis.apps.payments",
    "coopcis.apps.credit",
    "coopcis.apps.collections",
    "coopcis.apps.outages",
    "coopcis.apps.governance",
    "coopcis.apps.capital_credits",
    "coopcis.apps.usage",
    "coopcis.apps.backoffice",
    "coopcis.apps.simulation",
    "coopcis.apps.demo",
    "coopcis.apps.portal",
    # the member portal's optional two-factor sign-in (authenticator apps, TOTP)
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # serves the back office's CSS straight from the apps: no web server needed on one box
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # below WhiteNoise, so static files keep their cache headers and skip these
    "coopcis.site.middleware.JsonApiErrorsMiddleware",
    "coopcis.site.middleware.NoStoreMiddleware",
    "csp.middleware.CSPMiddleware",
    "coopcis.site.middleware.PdfPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # the language of a page: a portal page the member's (chosen, stored, the browser's),
    # every other page English (coopcis/apps/portal/locale.py); needs the signed-in user
    "coopcis.apps.portal.locale.MemberLocaleMiddleware",
    # request.user.is_verified(): whether this session passed the member's TOTP step
    "django_otp.middleware.OTPMiddleware",
    # a member's sign-in reaches the portal only, never a staff page or API
    "coopcis.apps.portal.middleware.MemberConfinementMiddleware",
    "coopcis.site.middleware.IdleSessionMiddleware",
    "coopcis.apps.audit.middleware.AuditActorMiddleware",
    "coopcis.apps.staff.middleware.PasswordChangeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # last, as django-axes asks: answers a locked-out sign-in with the lockout page
    "axes.middleware.AxesMiddleware",
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
                "coopcis.apps.portal.context.portal",
            ],
            # |money, |kwh, |choice_label in every template (coopcis/site/display.py)
            "builtins": ["coopcis.site.display"],
        },
    }
]


# --- Database -------------------------------------------------------------------------
SQLITE_OPTIONS = {
    # WAL lets the web UI read while a bill run writes; IMMEDIATE takes the write
    # lock at BEGIN, so concurrent writers wait instead of failing mid-transaction.
    "transaction_mode": "IMMEDIATE",
    "timeout": 30,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
}


def _private_sqlite_file(name: str) -> None:
    """Create the SQLite file readable by its owner only (0600) before SQLite opens it:
    SQLite gives its -wal and -shm files the database file's permissions."""
    if not name or name == ":memory:" or name.startswith("file:"):
        return
    path = Path(name)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if file.exists() and file.stat().st_uid == os.getuid():
            file.chmod(0o600)


def _database() -> dict[str, object]:
    url = os.environ.get("COOPCIS_DATABASE_URL")
    if url:
        config: dict[str, object] = dict(dj_database_url.parse(url, conn_max_age=60))
        test_name = os.environ.get("COOPCIS_TEST_DATABASE_NAME")
        if test_name:
            config["TEST"] = {"NAME": test_name}
    else:
        config = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(VAR_DIR / "coopcis.sqlite3")}
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # every SQLite database, named by URL or not, gets the same settings
        config["OPTIONS"] = {**SQLITE_OPTIONS, **dict(config.get("OPTIONS") or {})}  # type: ignore[call-overload]
        _private_sqlite_file(str(config["NAME"]))
    return config


DATABASES = {"default": _database()}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# Sign-in lockout (django-axes): 5 failed sign-ins for one user name, or from one address,
# lock it out for 15 minutes. Every attempt is kept (AccessAttempt, AccessFailureLog,
# AccessLog) and logged. Behind a reverse proxy, the client address is REMOTE_ADDR as the
# proxy sets it (docs: the proxy must pass the real address).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_LOCKOUT_TEMPLATE = "backoffice/locked_out.html"
# The portal's sign-in gets the portal's lockout page (same limits, same records).
AXES_LOCKOUT_CALLABLE = "coopcis.apps.portal.lockout.locked_out"

LOGIN_URL = "backoffice:login"
LOGIN_REDIRECT_URL = "backoffice:search"
LOGOUT_REDIRECT_URL = "backoffice:login"

LANGUAGE_CODE = "en-us"
#: The languages pages, email and paper come in (the portal's language switch).
LANGUAGES = [("en", "English"), ("es", "Español")]
TIME_ZONE = "America/Denver"
USE_I18N = True
USE_TZ = True
# English and Spanish (docs/domain/notifications.md): the catalogue in src/coopcis/locale
# serves the portal, the emails and texts, and the printed bills, notices and receipts.
LOCALE_PATHS = [str(Path(__file__).resolve().parent.parent / "locale")]
# Spanish keeps US figures ($1,234.56, 1,234.5 kWh), as bills in New Mexico print them.
FORMAT_MODULE_PATH = ["coopcis.site.formats"]

# --- Notifications (coopcis.apps.notify) ---------------------------------------------------
# Text messages: simulator: (development; ?print=1 prints each) or
# twilio://ACCOUNT_SID:AUTH_TOKEN@+15755550100.
# Batch jobs on workers (coopcis worker, bill-run --workers; docs/adr/0007-workers.md):
# the RabbitMQ broker, the queue the jobs go to, and how long a worker's claim on a batch
# lasts before another may take it (its row stays locked while the worker works on it).
COOPCIS_BROKER_URL = os.environ.get("COOPCIS_BROKER_URL", "")
COOPCIS_JOBS_QUEUE = os.environ.get("COOPCIS_JOBS_QUEUE", "coopcis")
COOPCIS_JOBS_LEASE_SECONDS = int(os.environ.get("COOPCIS_JOBS_LEASE_SECONDS", "120"))

COOPCIS_SMS_URL = os.environ.get("COOPCIS_SMS_URL", "simulator:")
# The inbound webhook's public URL, as the provider signs it, when a proxy rewrites the host.
COOPCIS_SMS_WEBHOOK_URL = os.environ.get("COOPCIS_SMS_WEBHOOK_URL", "")

STATIC_URL = "static/"
# Set for `coopcis collectstatic` behind a web server; unset, WhiteNoise serves the files
# straight from the apps, so a one-server install needs no collectstatic step.
STATIC_ROOT = os.environ.get("COOPCIS_STATIC_ROOT") or None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# --- Sessions, HTTPS and headers ----------------------------------------------------------
# A staff session ends after 30 minutes without a request (IdleSessionMiddleware renews it).
SESSION_COOKIE_AGE = 30 * 60
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "coopcis.site.middleware.csrf_failure"
if IS_PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = int(os.environ.get("COOPCIS_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = os.environ.get("COOPCIS_HSTS_SUBDOMAINS", "1") == "1"
    SECURE_HSTS_PRELOAD = os.environ.get("COOPCIS_HSTS_PRELOAD", "1") == "1"
    if os.environ.get("COOPCIS_BEHIND_TLS_PROXY") == "1":
        # the proxy terminates TLS and says so; it must overwrite this header from clients
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy (django-csp): the back office runs no inline script or style.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# --- Cache ------------------------------------------------------------------------------
# Files in VAR_DIR/cache: every worker process of `coopcis serve` on the machine shares
# them, with no cache server to run. What is cached is keyed by everything it was
# computed from (the rate comparison: coopcis/apps/usage/comparison_cache.py), so a change
# of data makes a new key, never a stale page; entries expire after a day, and past
# MAX_ENTRIES a third of them are dropped.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(VAR_DIR / "cache"),
        "TIMEOUT": 24 * 3600,
        "OPTIONS": {"MAX_ENTRIES": 50_000},
    }
}

# --- Email ------------------------------------------------------------------------------
# COOPCIS_EMAIL_URL (coopcis.core.mail_url): smtp://host:port, smtp+tls://user:pass@host:587,
# smtps://..., or console: (development's default: messages printed on stdout). Production
# defaults to an SMTP relay on the machine itself (smtp://localhost:25).
try:
    _MAIL = parse_mail_url(
        os.environ.get("COOPCIS_EMAIL_URL")
        or ("smtp://localhost:25" if IS_PRODUCTION else "console:")
    )
except RuleViolation as error:
    raise ImproperlyConfigured(str(error)) from None
EMAIL_BACKEND = _MAIL.backend
EMAIL_HOST = _MAIL.host or "localhost"
EMAIL_PORT = _MAIL.port or 25
EMAIL_HOST_USER = _MAIL.user
EMAIL_HOST_PASSWORD = _MAIL.password
EMAIL_USE_TLS = _MAIL.use_tls
EMAIL_USE_SSL = _MAIL.use_ssl
EMAIL_TIMEOUT = _MAIL.timeout


def _default_from_email() -> str:
    """``COOPCIS_EMAIL_FROM``, else the co-op's name at its website's domain."""
    profile = load_profile(COOPCIS_PROFILE)
    domain = profile.website.removeprefix("https://").removeprefix("http://")
    domain = domain.removeprefix("www.").strip("/") or "localhost"
    return f"{profile.short_name} <no-reply@{domain}>"


DEFAULT_FROM_EMAIL = os.environ.get("COOPCIS_EMAIL_FROM") or _default_from_email()
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Logging ------------------------------------------------------------------------------
# Every unhandled error of a request is logged by django.request with its traceback:
# to stderr, or to COOPCIS_LOG_FILE when set (reopened when logrotate moves it).
_LOG_FILE = os.environ.get("COOPCIS_LOG_FILE", "")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "line": {"format": "%(asctime)s %(levelname)s %(name)s [pid %(process)d] %(message)s"}
    },
    "handlers": {
        "log": (
            {"class": "logging.handlers.WatchedFileHandler", "filename": _LOG_FILE}
            if _LOG_FILE
            else {"class": "logging.StreamHandler"}
        )
        | {"formatter": "line"}
    },
    "root": {"handlers": ["log"], "level": "WARNING"},
    "loggers": {
        "django": {"handlers": ["log"], "level": "INFO", "propagate": False},
        "coopcis": {"handlers": ["log"], "level": "INFO", "propagate": False},
    },
}
