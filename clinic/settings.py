"""The clinic's one settings file: everything that differs between machines
comes from the environment (django-environ) and a bad value fails loudly."""

import sys
from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from clinic.settings_checks import (
    broker,
    database,
    env_flag,
    known_zone,
    logging_config,
    parse_offsets,
    rate,
    start_sentry,
    within,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"  # embedded defaults keep their files here (db, broker, mail)
VAR_DIR.mkdir(exist_ok=True)

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")  # optional; absent in CI

DEBUG = env_flag("DEBUG", default=True)
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "insecure-dev-key-only-for-debug-" + "x" * 20
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "knox",  # API tokens stored hashed, with an expiry (clinic/tokens.py)
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "csp",
    "axes",
    "clinic",
    "referrals",
    "scheduling",
    "sessions_log",
    "documents",
    "billing",
    "messaging",  # the providers' webhooks (clinic/settings_messaging.py)
    "anymail",
    "portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "clinic.audit.AuditContextMiddleware",
    # last, so it sees every failed sign-in the views report
    "axes.middleware.AxesMiddleware",
]

# The test command turns on django-zeal: any N+1 query pattern inside a request
# fails the suite. Off by default, so production pays nothing for it.
if env_flag("NPLUSONE_CHECKS", default=False):
    INSTALLED_APPS.append("zeal")
    MIDDLEWARE.insert(0, "zeal.middleware.zeal_middleware")
    ZEAL_RAISE = True

ROOT_URLCONF = "clinic.urls"
WSGI_APPLICATION = "clinic.wsgi.application"
AUTH_USER_MODEL = "clinic.User"
LOGIN_URL = "/"
LOGIN_REDIRECT_URL = "/home/"
LOGOUT_REDIRECT_URL = "/"

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
            ],
        },
    },
]

# --- database -----------------------------------------------------------------
# an empty DATABASE_URL means the default too (e.g. `DATABASE_URL= make test`)
DATABASES = {"default": database(env.str("DATABASE_URL", default=""), VAR_DIR)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses a locked username+address first
    "django.contrib.auth.backends.ModelBackend",
]
# Five failures lock that username from that address for 15 minutes: one
# person's typos never lock out colleagues behind the same clinic address.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "clinic.security.lockout_response"
# The same client address as the audit trail's (TRUSTED_PROXY_COUNT, below):
# behind a proxy, REMOTE_ADDR alone would make the lockout per username only.
AXES_CLIENT_IP_CALLABLE = "clinic.security.client_ip"
AXES_VERBOSE = False
AXES_ENABLE_ADMIN = False  # clinic/admin.py registers lockouts for the manager instead

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- time -----------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = known_zone(env.str("TIME_ZONE", default="America/New_York"))
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "staticfiles")))  # collectstatic
# `manage.py buildschema` writes the API schema here; /api/v1/schema/ serves it (clinic/api_docs.py)
API_SCHEMA_DIR = Path(env.str("API_SCHEMA_DIR", default=str(STATIC_ROOT.parent / "openapi")))

from clinic.settings_documents import *  # noqa: E402, F403 - attachments, PDFs, STORAGES

# --- email and reminders --------------------------------------------------------------
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))  # EMAIL_BACKEND, EMAIL_HOST...
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Clinic <reminders@clinic.example>")
REMINDER_OFFSETS = parse_offsets(env.str("REMINDER_OFFSETS", default="24h,2h"))
SMS_BACKEND = env.str("SMS_BACKEND", default="clinic.sms.ConsoleSmsBackend")
CLINIC_NAME = env.str("CLINIC_NAME", default="Riverside Medical Massage")
CLINIC_ADDRESS = env.str("CLINIC_ADDRESS", default="12 Harbor Street, Suite 3")
CLINIC_PHONE = env.str("CLINIC_PHONE", default="(555) 010-2030")
# PDFs are drawn by WeasyPrint in a short-lived process of their own (clinic/printing.py)
# so that its 40 MB never stay in a web worker; "inline" draws them in the caller.
PDF_RENDERING = env.str("PDF_RENDERING", default="process")
PDF_RENDERING_TIMEOUT = env.int("PDF_RENDERING_TIMEOUT", default=60)  # seconds
if PDF_RENDERING not in ("process", "inline"):
    raise ImproperlyConfigured("PDF_RENDERING must be process or inline")
if not 5 <= PDF_RENDERING_TIMEOUT <= 600:
    raise ImproperlyConfigured("PDF_RENDERING_TIMEOUT must be 5 to 600 seconds")
from clinic.settings_billing import *  # noqa: E402, F403 - the clinic as billing provider

# --- celery -----------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL, CELERY_BROKER_TRANSPORT_OPTIONS = broker(REDIS_URL, VAR_DIR)
CELERY_TASK_ALWAYS_EAGER = env_flag("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_TIME_LIMIT = 120
CELERY_TASK_SOFT_TIME_LIMIT = 100
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# --- REST API -----------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "clinic.tokens.ExpiringTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": ["clinic.api_http.WriteRateThrottle"],  # API_WRITE_RATE
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "clinic.pagination.Pagination",
    "PAGE_SIZE": 20,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",  # the default
        "clinic.api_http.StaffBrowsableAPIRenderer",  # for a browser that asks for HTML
    ],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # the services' errors as the contract's 400/403/409 (clinic/api_errors.py)
    "EXCEPTION_HANDLER": "clinic.api_errors.exception_handler",
}
# --- tokens helper: tokens that end (API.md, Tokens and limits)
API_TOKEN_HOURS = within("API_TOKEN_HOURS", env.int("API_TOKEN_HOURS", default=10), 1, 720, "hours")
API_TOKEN_TTL = timedelta(hours=API_TOKEN_HOURS)
REST_KNOX = {
    "TOKEN_TTL": API_TOKEN_TTL,
    "AUTH_HEADER_PREFIX": "Token",  # the header clients already send
    "AUTO_REFRESH": False,  # a token ends API_TOKEN_HOURS after sign-in, used or not
}
# Writes per user (DRF's throttle; reads are free): past it, 429 with Retry-After.
API_WRITE_RATE = rate("API_WRITE_RATE", env.str("API_WRITE_RATE", default="300/min"))
# How many reverse proxies in front of the app append to X-Forwarded-For; the
# client is the entry the outermost one added. 0: the header is ignored.
TRUSTED_PROXY_COUNT = within("TRUSTED_PROXY_COUNT", env.int("TRUSTED_PROXY_COUNT", default=0), 0, 5)
# The OpenAPI schema's settings (drf-spectacular) live in clinic/settings_api.py.
from clinic.settings_api import SPECTACULAR_SETTINGS  # noqa: E402, F401

# --- security -----------------------------------------------------------------------
SECURE_SSL_REDIRECT = env_flag("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_HSTS_SECONDS = 0 if DEBUG else env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_flag("BEHIND_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# No 'unsafe-inline' anywhere: every script and style is a file of our own.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=15 * 60)
SESSION_SAVE_EVERY_REQUEST = True  # idle expiry: each request pushes the deadline

# --- clinical thresholds -----------------------------------------------------------
# MCIDs, progress flags, certification, break-the-glass, clinic hours: with sources.
from clinic.settings_clinical import *  # noqa: E402, F403 (its __all__)
from clinic.settings_messaging import *  # noqa: E402, F403 (providers, SITE_URL's check)
from clinic.settings_portal import *  # noqa: E402, F403 (links, cancelling, consent)

# --- scheduling helper ------------------------------------------------------------
# Reminders are rows claimed by a scan every minute (scheduling/reminders.py): these
# bound a scan's batch, the lease a worker holds on a claimed row (after which
# another scan may take it over, e.g. when the worker died), and the tries.
REMINDER_BATCH_SIZE = env.int("REMINDER_BATCH_SIZE", default=200)
REMINDER_CLAIM_SECONDS = env.int("REMINDER_CLAIM_SECONDS", default=300)
REMINDER_MAX_ATTEMPTS = env.int("REMINDER_MAX_ATTEMPTS", default=5)
REMINDER_SCAN_SECONDS = env.int("REMINDER_SCAN_SECONDS", default=60)  # the beat's interval
# How long the confirm/cancel link of a reminder stays valid (it also dies at the visit).
REMINDER_LINK_MAX_AGE = env.int("REMINDER_LINK_MAX_AGE", default=14 * 24 * 3600)
if min(REMINDER_BATCH_SIZE, REMINDER_CLAIM_SECONDS, REMINDER_MAX_ATTEMPTS) < 1:
    raise ImproperlyConfigured("REMINDER_BATCH_SIZE, _CLAIM_SECONDS, _MAX_ATTEMPTS must be >= 1")
within("REMINDER_SCAN_SECONDS", REMINDER_SCAN_SECONDS, 1, 300)
SMS_FILE_PATH = env.str("SMS_FILE_PATH", default=str(VAR_DIR / "sms.jsonl"))
# An email backend by class, for the worker tests (EMAIL_URL covers the usual ones).
if env.str("EMAIL_BACKEND", default=""):
    EMAIL_BACKEND = env.str("EMAIL_BACKEND")
    EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))
# One queue for everything; named by the environment so a test worker on a
# shared Redis takes only its own tasks.
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="celery")
from celery.schedules import crontab  # noqa: E402 - only the schedule needs it

# The periodic schedule, in one place. Intervals run on UTC seconds, so daylight
# saving never skips or doubles the reminder scan; `expires` drops a scan that
# waited in the broker past the next one instead of running two back to back.
CELERY_BEAT_SCHEDULE = {
    "scan-reminders": {
        "task": "scheduling.tasks.scan_reminders",
        "schedule": timedelta(seconds=REMINDER_SCAN_SECONDS),
        "options": {"expires": max(REMINDER_SCAN_SECONDS - 5, 1)},
    },
    # 12:00 UTC is 07:00 or 08:00 in New York: before the clinic opens either way.
    "daily-notifications": {
        "task": "sessions_log.tasks.send_daily_notifications",
        "schedule": crontab(hour=12, minute=0),
        "options": {"expires": 3600},
    },
    "purge-idempotency-keys": {
        "task": "clinic.tasks.purge_idempotency_keys",
        "schedule": timedelta(hours=1),
        "options": {"expires": 1800},
    },
    "remind-waiting-physicians": PHYSICIAN_REMINDERS,  # noqa: F405 - settings_documents.py
    **BILLING_BEAT_SCHEDULE,  # noqa: F405 - the missed-visit fees (clinic/settings_billing.py)
}

# --- totp helper -----------------------------------------------------------------
# Optional TOTP second factor for doctors and managers (django-otp). OTPMiddleware
# must follow AuthenticationMiddleware (it wraps request.user); ours follows it and
# sends a signed-in user with a confirmed device to /account/verify/ until a code.
INSTALLED_APPS += ["django_otp", "django_otp.plugins.otp_totp"]
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "django_otp.middleware.OTPMiddleware",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("django_otp.middleware.OTPMiddleware") + 1,
    "clinic.two_factor.TwoFactorMiddleware",
)
OTP_TOTP_ISSUER = CLINIC_NAME  # the label an authenticator app shows
# The admin never shows a staff member's secret: the manager may only reset it.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# --- tokens helper: what every API answer shares (clinic/api_http.py)
# Right after SecurityMiddleware, so `no-store` and the JSON 413 reach the answers
# that no view gives (an unknown path, a refused CSRF token, a lockout).
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "clinic.api_http.ApiResponseMiddleware",
)
# The write limit's counters: in Redis when there is one, so every web process
# counts the same writes; otherwise in each process's memory.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}
# `__Host-` cookies (when secure) are sent only over HTTPS, only to this host,
# for the whole site: a sibling subdomain can neither set nor shadow them.
if SESSION_COOKIE_SECURE:
    SESSION_COOKIE_NAME = "__Host-sessionid"
if CSRF_COOKIE_SECURE:
    CSRF_COOKIE_NAME = "__Host-csrftoken"
# runserver (`make run`) serves each request in a thread of its own, and a kept
# connection belongs to its thread: with CONN_MAX_AGE > 0 every request left one
# open until PostgreSQL refused more. There, a connection ends with its request.
if sys.argv[1:2] == ["runserver"]:
    DATABASES["default"]["CONN_MAX_AGE"] = 0

# --- ops helper: static files, health, metrics, logs, backups (issue 17) -----------
# WhiteNoise serves /static/ from the app itself, so gunicorn with DEBUG=0 (what
# docker-compose.yml runs) needs no separate file server. Right after
# SecurityMiddleware: static responses skip the rest of the stack.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "whitenoise.middleware.WhiteNoiseMiddleware",
)
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns about a missing one
if not DEBUG:
    # Hashed names with gzip copies from `collectstatic`, cached ten years by WhiteNoise;
    # only without DEBUG, where the manifest exists (not in the tests, not `make run`).
    STORAGES["staticfiles"] = {  # noqa: F405 - STORAGES: clinic/settings_documents.py
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
    }
# The ops endpoints answer first (ops/health.py: /healthz, /readyz, /metrics),
# then every request gets its id (ops/logs.py), then Prometheus times the rest.
INSTALLED_APPS += ["django_prometheus", "ops"]
MIDDLEWARE.insert(0, "django_prometheus.middleware.PrometheusBeforeMiddleware")
MIDDLEWARE.insert(0, "ops.logs.RequestIdMiddleware")
MIDDLEWARE.insert(0, "ops.health.OpsEndpointsMiddleware")
MIDDLEWARE.append("django_prometheus.middleware.PrometheusAfterMiddleware")
# Latency buckets per view: 10, not django-prometheus's 17. Each view and method keeps
# a histogram of its own in every worker, so the buckets cost memory (issue 17: 5 MB
# a worker after every path); a clinic's pages are read between 25 ms and 10 s.
PROMETHEUS_LATENCY_BUCKETS = (0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, float("inf"))
# /metrics answers only `Authorization: Bearer <METRICS_TOKEN>`; unset, nobody.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
if METRICS_TOKEN and len(METRICS_TOKEN) < 24:
    raise ImproperlyConfigured("METRICS_TOKEN must be at least 24 characters")
# /readyz answers within this, whatever hangs; the scan is stale after this long.
READY_TIMEOUT_SECONDS = env.float("READY_TIMEOUT_SECONDS", default=3.0)
READY_SCAN_MAX_AGE_SECONDS = env.int(
    "READY_SCAN_MAX_AGE_SECONDS", default=max(3 * REMINDER_SCAN_SECONDS, 180)
)
if not 0.5 <= READY_TIMEOUT_SECONDS <= 4.5:
    raise ImproperlyConfigured("READY_TIMEOUT_SECONDS must be 0.5 to 4.5")

# Logs: JSON lines in production (LOG_FORMAT=json), readable under DEBUG; each with the
# request id (ops/logs.py). The worker keeps this configuration instead of Celery's own.
LOG_FORMAT = env.str("LOG_FORMAT", default="text" if DEBUG else "json")
LOGGING = logging_config(LOG_FORMAT, env.str("LOG_LEVEL", default="INFO"))
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# Optional error reports to Sentry. No personal data leaves: no user, cookies,
# request bodies or local variables (a frame may hold a patient's record).
SENTRY_DSN = start_sentry(env.str("SENTRY_DSN", default=""))
