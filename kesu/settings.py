"""Kesu settings: one module, every value from the environment, bad values refused loudly.

Every variable read here is listed in README "Configuration" (a test keeps the two in step).
SQLite in ``KESU_DATA_DIR`` is the embedded default; PostgreSQL is the production database.
"""

from __future__ import annotations

import os
import zoneinfo
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent


def _env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def _env_int(name: str, default: int, *, minimum: int = 1) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None
    if value < minimum:
        word = "positive" if minimum == 1 else f"at least {minimum}"
        raise ImproperlyConfigured(f"{name} must be {word}, not {value}")
    return value


DEBUG = _env_bool("KESU_DEBUG", False)

DATA_DIR = Path(os.environ.get("KESU_DATA_DIR") or PROJECT_DIR / "var").resolve()

SECRET_KEY = os.environ.get("KESU_SECRET_KEY", "")
if not SECRET_KEY and (DATA_DIR / "secret_key").is_file():
    # Written once by `kesu demo` for a local demo; production sets KESU_SECRET_KEY.
    SECRET_KEY = (DATA_DIR / "secret_key").read_text().strip()
if not SECRET_KEY:
    raise ImproperlyConfigured("KESU_SECRET_KEY is not set (see README, Configuration)")

ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("KESU_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("KESU_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

TIME_ZONE = os.environ.get("KESU_TIME_ZONE", "Asia/Shanghai")
try:
    zoneinfo.ZoneInfo(TIME_ZONE)
except (zoneinfo.ZoneInfoNotFoundError, ValueError):
    raise ImproperlyConfigured(f"KESU_TIME_ZONE {TIME_ZONE!r} is not a known time zone") from None
USE_TZ = True

LANGUAGE_CODE = os.environ.get("KESU_LANGUAGE_CODE", "zh-hans")
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
if LANGUAGE_CODE not in dict(LANGUAGES):
    raise ImproperlyConfigured(f"KESU_LANGUAGE_CODE must be one of {sorted(dict(LANGUAGES))}")
USE_I18N = True
LOCALE_PATHS = [BASE_DIR / "locale"]

# The rule book loaded by `kesu migrate`/`kesu demo` when the database has none yet.
KESU_PRESET = os.environ.get("KESU_PRESET", "furniture")
KESU_ATTACHMENT_MAX_BYTES = _env_int("KESU_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
KESU_PAGE_SIZE = 50
# Excel exports (kesu.statistics.exports): up to this many rows the file is written in the request;
# more go to the worker, which keeps the file for its requester for KESU_EXPORT_KEEP_HOURS.
KESU_EXPORT_IMMEDIATE_ROWS = _env_int("KESU_EXPORT_IMMEDIATE_ROWS", 5000, minimum=0)
KESU_EXPORT_KEEP_HOURS = _env_int("KESU_EXPORT_KEEP_HOURS", 24)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "kesu.core",
    "kesu.organization",
    "kesu.rulebook",
    "kesu.customers",
    "kesu.complaints",
    "kesu.workcalendar",
    "kesu.deadlines",
    "kesu.notifications",
    "kesu.approvals",
    "kesu.decisions",
    "kesu.committees",
    "kesu.assignments",
    "kesu.statistics",
    "kesu.fulfilment",
    "kesu.paperwork",
    "kesu.archive",
    "kesu.accountability",
    "kesu.operations",
    "huey.contrib.djhuey",
]

MIDDLEWARE = [
    "kesu.core.api_errors.ApiErrorsAsJson",  # outermost: every /api/ answer is JSON
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After whitenoise: static files stay cacheable; every page and API answer gets the CSP and
    # Cache-Control: private, no-store.
    "kesu.core.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # The address of a read, for the archive's audit of classified complaints (issue 11 §4).
    "kesu.archive.middleware.ReadAddressMiddleware",
]

ROOT_URLCONF = "kesu.urls"
WSGI_APPLICATION = "kesu.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ]
        },
    }
]

# Django's form templates, with the simplest widgets written in Python (same HTML, a fraction of
# the time: see kesu/core/form_renderer.py).
FORM_RENDERER = "kesu.core.form_renderer.FastFormRenderer"


def _database(url: str) -> dict:
    try:
        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    except ValueError as exc:
        raise ImproperlyConfigured(f"KESU_DATABASE_URL is not a database URL: {exc}") from None
    engine = config["ENGINE"]
    if engine == "django.db.backends.sqlite3":
        name = Path(config["NAME"])
        if config["NAME"] != ":memory:" and not name.is_absolute():
            name = PROJECT_DIR / name
        config["NAME"] = str(name)
        if config["NAME"] != ":memory:":
            name.parent.mkdir(parents=True, exist_ok=True)
        # Kept open between requests and worker tasks, as PostgreSQL's are: opening one costs a
        # connect and four PRAGMAs each time. No health check: a file has no server to lose.
        config["CONN_HEALTH_CHECKS"] = False
        config["OPTIONS"] = {
            # IMMEDIATE: a write transaction takes the write lock at BEGIN, so two registrations
            # queue on the lock (busy timeout) instead of deadlocking on a read→write upgrade.
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            # WAL for concurrent readers; synchronous=FULL makes every commit durable.
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
                " PRAGMA busy_timeout=30000;"
            ),
        }
    elif engine != "django.db.backends.postgresql":
        raise ImproperlyConfigured("KESU_DATABASE_URL must be a sqlite:// or postgres:// URL")
    return config


DATABASES = {
    "default": _database(os.environ.get("KESU_DATABASE_URL") or f"sqlite:///{DATA_DIR / 'kesu.sqlite3'}")
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "workbench"
LOGOUT_REDIRECT_URL = "login"

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "staticfiles"
STATICFILES_DIRS = [
    ("vendor/htmx", PROJECT_DIR / "node_modules" / "htmx.org" / "dist"),
    ("vendor/echarts", PROJECT_DIR / "node_modules" / "echarts" / "dist"),
]
STORAGES = {
    # Attachments live in DATA_DIR, outside any web root, and are served only through a view
    # that checks who may see the complaint.
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(DATA_DIR / "attachments"), "base_url": None},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = DATA_DIR / "attachments"
DATA_UPLOAD_MAX_MEMORY_SIZE = KESU_ATTACHMENT_MAX_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

EMAIL_BACKEND = os.environ.get("KESU_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("KESU_FROM_EMAIL", "kesu@localhost")

# The task queue behind `kesu worker` (huey): the deadline sweep every minute and e-mail retries.
# A SQLite file in the data dir by default; Redis in production (KESU_REDIS_URL).
REDIS_URL = os.environ.get("KESU_REDIS_URL", "")
HUEY: dict = {
    "name": "kesu",
    "immediate": False,  # djhuey would otherwise run tasks inline whenever DEBUG is on
    "utc": True,
    "consumer": {"workers": 2, "worker_type": "thread", "periodic": True},
}
if REDIS_URL:
    if not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured(
            f"KESU_REDIS_URL must be a redis://, rediss:// or unix:// URL, not {REDIS_URL!r}"
        )
    HUEY |= {"huey_class": "huey.RedisHuey", "url": REDIS_URL}
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    HUEY |= {"huey_class": "huey.SqliteHuey", "filename": str(DATA_DIR / "huey.sqlite3")}

SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = _env_bool("KESU_SECURE_COOKIES", False)
SECURE_SSL_REDIRECT = _env_bool("KESU_HTTPS_REDIRECT", False)
SECURE_HSTS_SECONDS = _env_int("KESU_HSTS_SECONDS", 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_bool("KESU_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = _env_bool("KESU_HSTS_PRELOAD", False)
# Reverse proxies in front of Kesu (nginx terminating TLS = 1). Each must append the client to
# X-Forwarded-For and set X-Forwarded-Proto; the client address is read from the right of that
# header (sign-in throttling), the request is https when the proxy says so (HTTPS redirect).
KESU_PROXY_COUNT = _env_int("KESU_PROXY_COUNT", 0, minimum=0)
if KESU_PROXY_COUNT:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The one Content-Security-Policy of every page (kesu.core.middleware): scripts and styles only
# from Kesu's own static files, no inline script, style or event handler, no eval.
KESU_CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
# Deploy checks a site knowingly accepts (e.g. "security.W021" without HSTS preload); `kesu check`
# fails on every other warning.
SILENCED_SYSTEM_CHECKS = [
    c.strip() for c in os.environ.get("KESU_SILENCED_CHECKS", "").split(",") if c.strip()
]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("KESU_LOG_LEVEL", "WARNING")},
    # The worker says what it runs (once: not also through the root logger).
    "loggers": {"huey": {"handlers": ["console"], "level": "INFO", "propagate": False}},
}
