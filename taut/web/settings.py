"""The single settings module.

Everything comes from the environment, with working defaults for a laptop: SQLite in a
local data folder and a secret key generated on first run. Production switches on with
TAUT_DEPLOY=production (HTTPS-only cookies, HSTS, a required SECRET_KEY).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
import django_stubs_ext

django_stubs_ext.monkeypatch()  # lets the type hints subscript ModelForm and friends

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("TAUT_DATA_DIR", Path.cwd() / "data")).resolve()
PRODUCTION = os.environ.get("TAUT_DEPLOY", "").lower() == "production"


def _secret_key() -> str:
    """Return SECRET_KEY from the environment, or one generated once and kept on disk."""
    from_env = os.environ.get("SECRET_KEY")
    if from_env:
        return from_env
    if PRODUCTION:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("Set SECRET_KEY in the environment for a production deploy.")
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    path = DATA_DIR / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = os.environ.get("TAUT_DEBUG", "") == "1"
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "taut.access",
    "taut.audit",
    "taut.clients",
    "taut.atlas",
    "taut.assessments",
    "taut.intake",
    "taut.motion",
    "taut.safety",
    "taut.plans",
    "taut.notes",
    "taut.homecare",
    "taut.reports",
    "taut.privacy",
    "taut.directory",
    "taut.selfcare",
    "taut.web",
    "django_tasks",
    "django_tasks.backends.database",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "taut.audit.middleware.RequestContextMiddleware",
    "taut.web.uploads.UploadLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "taut.access.middleware.SessionLimitsMiddleware",
    "taut.access.middleware.ClinicScopeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "taut.clients.gate.ConsentGateMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "taut.web.urls"
WSGI_APPLICATION = "taut.web.wsgi.application"
AUTH_USER_MODEL = "access.User"
LOGIN_URL = "access:login"
LOGIN_REDIRECT_URL = "dashboard"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "web" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "taut.access.context.clinic_context",
            ],
        },
    }
]


def _database() -> dict[str, object]:
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'taut.sqlite3'}"
    db: dict[str, object] = dict(dj_database_url.parse(url, conn_max_age=0))
    if db["ENGINE"] == "django.db.backends.sqlite3":
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        db["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": (
                "PRAGMA journal_mode=WAL;PRAGMA synchronous=FULL;PRAGMA foreign_keys=ON;PRAGMA busy_timeout=30000"
            ),
        }
        db["TEST"] = {"NAME": None}
    else:
        db["CONN_MAX_AGE"] = int(os.environ.get("CONN_MAX_AGE", "60"))
        db["CONN_HEALTH_CHECKS"] = True
    return db


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "taut.access.passwords.MaximumLengthValidator", "OPTIONS": {"max_length": 128}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sessions: 30 minutes idle and 12 hours absolute, both enforced by SessionLimitsMiddleware.
# The last-seen time is written at most once a minute, so most requests do not save the session.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_ABSOLUTE_SECONDS = 12 * 60 * 60
SESSION_IDLE_SECONDS = 30 * 60
SESSION_TOUCH_SECONDS = 60
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_SECONDS
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"

# Login throttling: this many failures for one username from one address lock it out.
LOGIN_FAILURE_LIMIT = 5
LOGIN_COOLOFF_SECONDS = 15 * 60
# The second factor: wrong codes per user (in the cool-off window) and per pending session before
# the pending login is discarded, and how long a checked password waits for its code.
TOTP_ATTEMPT_LIMIT = 5
TOTP_PENDING_SECONDS = 5 * 60
# API tokens: this many invalid bearer tokens from one address lock it out for the cool-off.
TAUT_TOKEN_FAILED_LIMIT = int(os.environ.get("TAUT_TOKEN_FAILED_LIMIT", "20"))
TAUT_TOKEN_COOLOFF_SECONDS = 15 * 60
# The Today page: a treatment visit is due a re-assessment after this many treatments, or this
# many weeks, since the client's last initial assessment or re-assessment (docs/today.md).
TAUT_REASSESS_AFTER_SESSIONS = int(os.environ.get("TAUT_REASSESS_AFTER_SESSIONS", "6"))
TAUT_REASSESS_AFTER_WEEKS = int(os.environ.get("TAUT_REASSESS_AFTER_WEEKS", "6"))

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

if PRODUCTION:
    SECURE_SSL_REDIRECT = os.environ.get("TAUT_SSL_REDIRECT", "1") == "1"
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# E-mail (intake links): SMTP when TAUT_EMAIL_HOST is set; otherwise each message is written as a
# file to <data dir>/outbox, so the embedded default needs no mail server.
EMAIL_HOST = os.environ.get("TAUT_EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = int(os.environ.get("TAUT_EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("TAUT_EMAIL_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("TAUT_EMAIL_PASSWORD", "")
    EMAIL_USE_TLS = os.environ.get("TAUT_EMAIL_TLS", "1") == "1"
    EMAIL_USE_SSL = os.environ.get("TAUT_EMAIL_SSL", "0") == "1"
    EMAIL_TIMEOUT = 20
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = DATA_DIR / "outbox"
DEFAULT_FROM_EMAIL = os.environ.get("TAUT_EMAIL_FROM", "Taut <taut@localhost>")

LANGUAGE_CODE = "en"
TIME_ZONE = os.environ.get("TAUT_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = False
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", DATA_DIR / "media"))
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FILES = 100
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # larger uploads go to a temporary file, not memory
TAUT_PHOTO_MAX_MB = int(os.environ.get("TAUT_PHOTO_MAX_MB", "25"))
TAUT_VIDEO_MAX_MB = int(os.environ.get("TAUT_VIDEO_MAX_MB", "200"))
TAUT_VIDEO_MAX_SECONDS = int(os.environ.get("TAUT_VIDEO_MAX_SECONDS", "60"))
TAUT_JOB_STALE_SECONDS = int(os.environ.get("TAUT_JOB_STALE_SECONDS", "120"))
TAUT_CLINIC_MEDIA_QUOTA_MB = int(os.environ.get("TAUT_CLINIC_MEDIA_QUOTA_MB", "5120"))


# Retention per record type, in whole years (taut.privacy.retention): a clinical record whose
# erasure was requested is purged by `taut retention purge` once its period ends. A value
# below the legal minimum (docs/privacy.md) stops the workbench with a clear message.
def _years(name: str, default: str) -> int | str:
    value = os.environ.get(name, default).strip()
    return int(value) if value.isdigit() else value  # anything else is refused by name at start-up


TAUT_RETENTION_YEARS = {
    "clinical_record": _years("TAUT_RETENTION_CLINICAL_RECORD_YEARS", "10"),
    "minor_record": _years("TAUT_RETENTION_MINOR_RECORD_YEARS", "10"),
    "audit": _years("TAUT_RETENTION_AUDIT_YEARS", "6"),
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("TAUT_LOG_LEVEL", "WARNING")},
}

# Background jobs (gait analysis) run through Django's tasks backport on the database backend:
# `taut serve` starts one worker beside the web server; at scale, run `taut worker` on other
# machines against the same PostgreSQL. Tests set TAUT_TASKS_IMMEDIATE=1 to run jobs inline.
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if os.environ.get("TAUT_TASKS_IMMEDIATE") == "1"
            else "django_tasks.backends.database.DatabaseBackend"
        ),
    }
}
