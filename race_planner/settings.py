"""Settings for RACE Planner: one file, every deploy-time value read from the environment."""

import json
import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = os.environ.get(name) or default
    if value not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)}, not {value!r}")
    return value


def env_json(name: str, default: dict[str, Any]) -> dict[str, Any]:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = json.loads(raw)
    except ValueError:
        value = None
    if not isinstance(value, dict):
        raise ImproperlyConfigured(f"{name} must be a JSON object, not {raw!r}")
    return value


DEBUG = env_bool("DEBUG", True)

_DEV_SECRET = "django-insecure-dev-only-key-change-me-in-production-race-planner"  # noqa: S105 -- used only with DEBUG on
SECRET_KEY = env_str("SECRET_KEY", _DEV_SECRET if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
CSRF_FAILURE_VIEW = "race_planner.errors.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "simple_history",
    "csp",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "plans",
    "kpis",
    "demo",
    "ninja",  # the API's Swagger UI, served from our static files
    "api",
    "sharing",
    "nudges",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files are answered here, from the brotli or gzip copy collectstatic made.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Every other answer leaves through here: compressed for browsers that accept gzip, after
    # all the middleware below has read or changed it (race_planner/compression.py).
    "race_planner.compression.BufferedGZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every view needs a logged-in user unless it says otherwise (@login_not_required).
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "race_planner.uploads.upload_limit",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "race_planner.middleware.htmx_logged_out",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Near the end: it needs request.user, and its early 503 goes out through the middleware above.
    "race_planner.middleware.DatabaseUnavailableMiddleware",
    # Last, so the lockout page it answers with passes through the others (CSP, security headers).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "race_planner.urls"
WSGI_APPLICATION = "race_planner.wsgi.application"

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
                "csp.context_processors.nonce",
                "race_planner.navigation.nav_links",
            ],
        },
    },
]

DATABASES = {
    # A kept connection is checked before each request reuses it: after a database restart
    # the first request reconnects instead of failing.
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A small team on one file: concurrent writers wait their turn instead of failing. WAL lets
    # pages read while someone writes; IMMEDIATE takes the write lock as a transaction begins,
    # so a transaction that reads and then writes never finds the lock taken halfway (SQLite
    # then fails at once, whatever the timeout). Reads outside transactions take no lock.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": env_int("SQLITE_BUSY_TIMEOUT", 20),  # seconds a writer waits for the lock
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        **DATABASES["default"].get("OPTIONS", {}),  # options in DATABASE_URL come first
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Log-in throttling (django-axes, race_planner/logins.py): LOGIN_FAILURE_LIMIT failed log-ins for
# one username, or from one address, pause logging in there for LOGIN_COOLOFF_MINUTES; every try
# during the pause starts it again. A successful log-in forgets that user's failures from that
# address. Covers /accounts/login/ and /admin/login/ alike (both go through authenticate()).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out log-in, right password or not
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
LOGIN_COOLOFF_MINUTES = env_int("LOGIN_COOLOFF_MINUTES", 15)
if LOGIN_FAILURE_LIMIT < 1 or LOGIN_COOLOFF_MINUTES < 1:
    raise ImproperlyConfigured("LOGIN_FAILURE_LIMIT and LOGIN_COOLOFF_MINUTES must be at least 1")
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username"], ["ip_address"]]  # each on its own, not the pair
AXES_RESET_ON_SUCCESS = True
AXES_HANDLER = "race_planner.logins.LoginAttempts"
AXES_CLIENT_IP_CALLABLE = "race_planner.logins.client_address"
AXES_LOCKOUT_CALLABLE = "race_planner.logins.lockout_response"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "plans-list"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
# Finished review PDFs: filesystem under MEDIA_ROOT/reviews by default, or any storage class
# (django-storages' S3Storage, …) with its options as a JSON object. Never served as media:
# downloads go through the review's views, which check access every time.
REVIEW_STORAGE_BACKEND = env_str(
    "REVIEW_STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage"
)
REVIEW_STORAGE_OPTIONS = env_json(
    "REVIEW_STORAGE_OPTIONS",
    {"location": str(MEDIA_ROOT / "reviews")}
    if REVIEW_STORAGE_BACKEND == "django.core.files.storage.FileSystemStorage"
    else {},
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "reviews": {"BACKEND": REVIEW_STORAGE_BACKEND, "OPTIONS": REVIEW_STORAGE_OPTIONS},
    # Hashed names let browsers cache plotly.js and our CSS for a year.
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_MAX_AGE = 31536000 if not DEBUG else 0

# Uploads (CSV of actuals) stay small: a request larger than this (and a little room for the
# form around the file) is refused before its body is read; the importer checks files too.
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_MB", 2) * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

DEMO_PASSWORD = env_str("DEMO_PASSWORD", "race-demo")

# Security: strict by default outside DEBUG.
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# One proxy in front that terminates TLS, sets X-Forwarded-Proto and appends the client's address
# to X-Forwarded-For (login throttling counts failures against that address).
BEHIND_PROXY = env_bool("BEHIND_PROXY", False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy: our own origin only. Plotly and htmx set inline styles, nothing else
# inline is allowed; scripts run only from our static files.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "weasyprint": {"level": "ERROR"},
        "fontTools": {"level": "ERROR"},
        # The review PDF's chart renderer logs every browser step at INFO.
        "kaleido": {"level": "WARNING"},
        "choreographer": {"level": "WARNING"},
        "logistro": {"level": "WARNING"},
        # Axes logs failed log-ins and lockouts as warnings; its start-up and success lines are INFO.
        "axes": {"level": "WARNING"},
    },
}

# Quarterly review PDF: an export running longer than this many seconds stops with a message.
REVIEW_EXPORT_TIMEOUT = env_int("REVIEW_EXPORT_TIMEOUT", 60)
# Finished review PDFs older than this many days are deleted (by each export job, and by
# `manage.py prune_reviews`).
REVIEW_RETENTION_DAYS = env_int("REVIEW_RETENTION_DAYS", 30)
if REVIEW_RETENTION_DAYS < 1:
    raise ImproperlyConfigured("REVIEW_RETENTION_DAYS must be at least 1")

# The API (/api/v1/): requests a minute per token, counted in the database so the limit holds
# across every app server (api/tokens.py).
API_RATE_LIMIT = env_int("API_RATE_LIMIT", 120)
if API_RATE_LIMIT < 1:
    raise ImproperlyConfigured("API_RATE_LIMIT must be at least 1")

# Background jobs (the review PDF) go through the Tasks API (django-tasks). TASKS_BACKEND:
# - db (default): jobs wait in the database; `manage.py db_worker` runs them (`make run` starts one);
# - rq: Redis at REDIS_URL; `manage.py rqworker --worker-class rq.worker.SimpleWorker
#   --job-class django_tasks_rq.Job` runs them (pip install ".[rq]"; SimpleWorker runs jobs in
#   its own process, so it keeps one chart browser for all of them);
# - immediate: the job runs inside the request that starts it (one-off scripts, never a server).
TASKS_BACKEND = env_choice("TASKS_BACKEND", "db", ("db", "rq", "immediate"))
# Redis: set REDIS_URL and Django's cache lives there too, shared by every app server.
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "race",
        }
    }
TASKS: dict[str, dict[str, Any]]
if TASKS_BACKEND == "db":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
elif TASKS_BACKEND == "rq":
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    RQ_QUEUES = {
        "default": {
            "URL": REDIS_URL or "redis://127.0.0.1:6379/0",
            "DEFAULT_TIMEOUT": REVIEW_EXPORT_TIMEOUT + 60,
        }
    }
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# Email (reminders, alerts, digests): printed to the console unless EMAIL_HOST is set, then SMTP.
# SITE_URL starts every link in an email.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "RACE Planner <race-planner@localhost>")
EMAIL_HOST = env_str("EMAIL_HOST", "")
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = env_int("EMAIL_PORT", 587 if EMAIL_HOST else 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", bool(EMAIL_HOST) and EMAIL_PORT == 587)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", EMAIL_PORT == 465)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
