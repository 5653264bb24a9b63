"""VetPass settings: one module, driven by the environment.

Embedded defaults (SQLite under var/, Celery's filesystem transport, console email) let
`make run` work on a laptop with nothing else installed. Production sets DEBUG=0 and then
must provide a real SECRET_KEY: a missing secret is an ImproperlyConfigured, never a default.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
DEV_SECRET_KEY = "dev-only-insecure-key-never-used-in-production"  # noqa: S105


def envbool(name: str, default: bool) -> bool:
    """A boolean that is not a boolean is an error, not a silent False."""
    raw = env.str(name, default="1" if default else "0").strip().lower()
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off", ""}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {raw!r}")


DEBUG = envbool("DEBUG", True)
# pytest sets PYTEST_VERSION in the environment before Django's settings load.
TESTING = envbool("VETPASS_TESTING", "PYTEST_VERSION" in os.environ)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = DEV_SECRET_KEY

# The consent ledger can never be erased, so it holds no direct identifier: a person
# without an account is keyed by an HMAC of their address under this key (issue 8 §1), and
# the address itself lives in consent.EmailSubject, which erasure deletes. Its own secret,
# not SECRET_KEY, so rotating the session key never re-keys the ledger.
CONSENT_SUBJECT_KEY = env.str("CONSENT_SUBJECT_KEY", default="")
if not CONSENT_SUBJECT_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("CONSENT_SUBJECT_KEY must be set when DEBUG is off.")
    CONSENT_SUBJECT_KEY = "dev-only-consent-subject-key"  # noqa: S105

# Erasure certificates are signed with Ed25519 (dsar.erasure.certificate): the private key
# as 64 hex characters (its 32 raw bytes). Production must set it; the dev key below is
# public and only for DEBUG. The same key's HMAC also keys the erased-subject register
# and the tombstone address (erased-<hmac>@erased.invalid), so it never changes casually.
ERASURE_SIGNING_KEY = env.str("ERASURE_SIGNING_KEY", default="")
if not ERASURE_SIGNING_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("ERASURE_SIGNING_KEY must be set when DEBUG is off.")
    ERASURE_SIGNING_KEY = "00" * 31 + "01"  # dev only

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])


def local_site_url(host: str, port: str) -> str:
    """Where `make run` serves (its HOST and PORT), as a link a browser can open: a server
    listening on every interface (0.0.0.0, ::) is reached on the loopback address."""
    host = host.strip() or "127.0.0.1"
    if host in {"0.0.0.0", "::", "[::]"}:  # noqa: S104 (a listening address, not a bind)
        host = "127.0.0.1"
    elif ":" in host and not host.startswith("["):
        host = f"[{host}]"  # an IPv6 literal in a URL
    return f"http://{host}:{port.strip() or '8000'}"


# The links in emails. Unset, they follow `make run`'s HOST and PORT (the Makefile passes
# them to the site and the worker), so a laptop on another port gets working links.
SITE_URL = env.str("SITE_URL", default="") or local_site_url(
    env.str("HOST", default="127.0.0.1"), env.str("PORT", default="8000")
)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "pgtrigger",
    "csp",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.headless",
    "vetpass.accounts",
    "vetpass.outbox",
    "consent",
    "records",
    "dsar",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # django-csp's, with the policy header built once per process (vetpass.csp).
    "vetpass.csp.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # allauth's headless API parses JSON itself: bound its nesting like the API's parser.
    "vetpass.parsers.JSONDepthMiddleware",
    "vetpass.accounts.middleware.AdminRequiresMFAMiddleware",
    # New policy versions that need acceptance: web → accept page, API → 403 with a code.
    "consent.policy_gate.PolicyAcceptanceMiddleware",
]

ROOT_URLCONF = "vetpass.urls"
WSGI_APPLICATION = "vetpass.wsgi.application"

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
                "vetpass.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'vetpass.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Persistent connections (issue 10): opening a PostgreSQL connection per request was a sixth
# of the animals list's time. Each gunicorn (sync) worker keeps one connection for up to
# DB_CONN_MAX_AGE seconds, checked before reuse after an error or a restart of the server
# (CONN_HEALTH_CHECKS), so a dropped connection costs one retry, never a 500. A pool
# (psycopg_pool) buys nothing more for one-thread workers.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=600)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")
if IS_POSTGRES:
    # Django's backend, its health check answered from the socket (vetpass.postgresql).
    DATABASES["default"]["ENGINE"] = "vetpass.postgresql"
# The hot paths' hand-written statements are planned once per connection (issue 10,
# vetpass.prepared): psycopg prepares a statement of vetpass.prepared.prepared_cursor the
# second time a connection runs it. The ORM binds on the client and never prepares. Off
# (0) behind a pooler that shares server sessions between transactions.
if IS_POSTGRES and env.bool("DB_PREPARED_STATEMENTS", default=True):
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 1
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Django's and allauth's backends, answering get_user from the shared cache (issue 10;
    # vetpass.accounts.usercache): a warm request reads no account row.
    "vetpass.accounts.backends.ModelBackend",
    "vetpass.accounts.backends.AuthenticationBackend",
    # The DPO's view-only permissions in the admin, declared in code (is_dpo is the switch).
    "vetpass.accounts.backends.DPOPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
# One language, British English, and no translations of our own: the translation machinery
# off (Django's advice for a site that does not translate) saves a lookup in a catalog for
# every lazy label and date a page shows (issue 10). Django's and allauth's en_GB catalogs
# say what their sources say, so no text changes.
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=str(VAR_DIR / "staticfiles"))
# whitenoise warns on every start when the folder is missing before collectstatic ran.
Path(STATIC_ROOT).mkdir(parents=True, exist_ok=True)
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            # whitenoise's manifest storage, each URL worked out once per process.
            else "vetpass.storage.StaticFilesStorage"
        )
    },
}
# Uploads: 10 MB per document or photo (checked in the model validator). Django's
# DATA_UPLOAD_MAX_MEMORY_SIZE counts only the non-file fields of a multipart body (a larger
# one is refused: the API answers 413 in its error format); file parts are streamed to a
# temporary file above FILE_UPLOAD_MAX_MEMORY_SIZE whatever their size, so the API refuses
# a multipart body far beyond MAX_UPLOAD_BYTES from its Content-Length, before reading it,
# as a field error on the file (records.api.UploadLimitMixin).
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2621440

# --- Email -----------------------------------------------------------------------------
# Every email leaves through the outbox (vetpass/outbox/): EMAIL_BACKEND writes a row in the
# caller's transaction and a Celery task delivers it with the backend EMAIL_URL names,
# retrying with back-off; a sweep every OUTBOX_SWEEP_SECONDS sends what the broker missed.
_email = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(_email)
OUTBOX_DELIVERY_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_BACKEND = "vetpass.outbox.backends.OutboxBackend"
# A stuck SMTP connection must end well before a worker's claim on the email does.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
OUTBOX_CLAIM_SECONDS = 10 * 60
OUTBOX_RETRY_BASE_SECONDS = env.int("OUTBOX_RETRY_BASE_SECONDS", default=30)
OUTBOX_RETRY_MAX_SECONDS = 60 * 60
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=15)  # about 9 hours of trying
OUTBOX_SWEEP_SECONDS = 60
# Emails per task when many are handed to the workers at once (a retention sweep's chunk).
OUTBOX_DISPATCH_BATCH = env.int("OUTBOX_DISPATCH_BATCH", default=500)
OUTBOX_KEEP_SENT_DAYS = 30
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="VetPass <no-reply@vetpass.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security ---------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
# Sessions carry their account id in a column (vetpass/accounts/sessions.py), so erasure
# and "sign out everywhere" delete a person's sessions in one statement.
SESSION_ENGINE = "vetpass.accounts.sessions"
# ...cached in the shared cache in front of the database (a warm request reads no session
# row); the cache must be shared by every process (see CACHES).
SESSION_CACHE_ALIAS = "default"
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# No inline scripts anywhere: every script is a file under static/.
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
    },
}

# --- django-allauth ----------------------------------------------------------------------
ACCOUNT_ADAPTER = "vetpass.accounts.adapters.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_SIGNUP_FORM_CLASS = "vetpass.accounts.forms.SignupExtraForm"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[VetPass] "
# Rate limits on sign-in, sign-up and password reset stay on (allauth's defaults),
# stated here so that nobody switches them off by accident.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",
    "change_password": "5/m/user",
}
LOGIN_REDIRECT_URL = "/"
LOGIN_URL = "/accounts/login/"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "VetPass"
HEADLESS_CLIENTS = ("app", "browser")
HEADLESS_ONLY = False
HEADLESS_TOKEN_STRATEGY = "vetpass.api_auth.SessionTokenStrategy"
HEADLESS_FRONTEND_URLS = {
    "account_confirm_email": f"{SITE_URL}/accounts/confirm-email/{{key}}/",
    "account_reset_password_from_key": f"{SITE_URL}/accounts/password/reset/key/{{key}}/",
    "account_signup": f"{SITE_URL}/accounts/signup/",
}

# --- REST API ----------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # allauth's X-Session-Token check, done once per request (the policy gate asks too).
        "vetpass.api_auth.SessionTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "vetpass.api.Pagination",
    # A JSON body is an object nested at most 32 levels: anything else is a 400, not a 500.
    "DEFAULT_PARSER_CLASSES": [
        "vetpass.parsers.JSONObjectParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "vetpass.api.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "vetpass.api_throttling.AnonRateThrottle",
        "vetpass.api_throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_THROTTLE_ANON", default="60/min"),
        "user": env.str("API_THROTTLE_USER", default="600/min"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "VetPass API",
    "DESCRIPTION": (
        "The REST API the VetPass mobile apps use. Sign in through "
        "`POST /_allauth/app/v1/auth/login` and send the returned session token "
        "in the `X-Session-Token` header."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a `status`; give each choice set its own name in the schema.
    "ENUM_NAME_OVERRIDES": {
        "InvitationStatusEnum": "records.models.animals.CoOwnerInvitation.Status",
        "EntryKindEnum": "records.models.entries.EntryKind",
        "ClinicalEntryKindEnum": "records.practices.serializers.CLINICAL_ENTRY_KINDS",
        "AccessLogGrantEnum": "records.models.practices.AccessLogGrant",
        "RecordRequestStatusEnum": "records.models.practices.RecordRequest.Status",
    },
    # The X-Session-Token scheme comes from drf-spectacular's django-allauth extension.
    # Every operation documents the errors it can answer (400/401/403/404/413/429) in the
    # one error format, added in one place rather than on each view.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "vetpass.api_schema.error_responses",
    ],
}

# Rate limits (allauth's, DRF's throttles, failed emergency-share codes) count in this cache,
# so every process must share it: per-process memory would give each gunicorn worker its
# own counters. Embedded: files under var/cache/ (the web server and the worker share one
# machine); production: CACHE_URL=redis://host:6379/1, shared by every host.
CACHES = {
    "default": env.cache("CACHE_URL", default=f"filecache://{VAR_DIR / 'cache'}?max_entries=10000")
}
# Django's Redis backend with a kept client and one-round-trip chained reads (vetpass.cache):
# a signed-in request reads its session and its account in one round trip (issue 10).
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    CACHES["default"]["BACKEND"] = "vetpass.cache.RedisCache"

# --- Celery ------------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _queue_dir = VAR_DIR / "celery"
    for _sub in ("queue", "processed", "control"):
        (_queue_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir / "queue"),
        "data_folder_out": str(_queue_dir / "queue"),
        "processed_folder": str(_queue_dir / "processed"),
        # kombu's default is ./control in the working directory; keep it under var/ too.
        "control_folder": str(_queue_dir / "control"),
        "store_processed": False,
    }
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
# Tests run tasks in-process unless a test starts a real worker (the issue says where).
CELERY_TASK_ALWAYS_EAGER = envbool("CELERY_TASK_ALWAYS_EAGER", TESTING)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = "UTC"
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1

# --- Policy numbers (DESIGN.md, "Policy numbers") ----------------------------------------
# "We will notify you ... after 18 months without use of a service" (VETPASS policy).
POLICY_INACTIVITY_NOTICE_MONTHS = 18
# "Removal no earlier than 21 months of inactivity, and never less than three months after
# the notice" (VETPASS policy).
POLICY_REMOVAL_MONTHS = 21
POLICY_REMOVAL_MIN_NOTICE_MONTHS = 3
# Sign-ups whose email address was never confirmed are removed after 30 days.
POLICY_UNCONFIRMED_SIGNUP_DAYS = 30
# "Client data processed on a practice's behalf is anonymised within three months of the
# end of its subscription" (Kontak policy).
POLICY_PRACTICE_ANONYMISE_MONTHS = 3
# The grace period after a practice's subscription ends before its client data is
# anonymised: a renewal inside it cancels the anonymisation. Never beyond the three months
# above (dsar.retention.practices caps it).
PRACTICE_ANONYMISE_GRACE_DAYS = 60
# "You must be 16 or older to use VetPass" (VETPASS policy).
POLICY_MINIMUM_AGE = 16
# Emergency shares for a non-favorited practice last 72 hours unless the owner says less.
POLICY_EMERGENCY_SHARE_HOURS = 72
EMERGENCY_SHARE_DEFAULT = timedelta(hours=POLICY_EMERGENCY_SHARE_HOURS)
# The longest an owner may make one: a referral can take weeks, but not open-ended.
EMERGENCY_SHARE_MAX_HOURS = 30 * 24
# Wrong emergency-share codes before every attempt is refused for the rest of the window:
# per person, and per practice (several staff cannot multiply the guesses).
EMERGENCY_REDEEM_FAILURES_PER_USER = 5
EMERGENCY_REDEEM_FAILURES_PER_PRACTICE = 10
EMERGENCY_REDEEM_WINDOW = timedelta(minutes=15)
# Due reminders (issue 11): an email this many days before a vaccination or treatment is
# due (0 = on the day), once per due item and lead time. A run that was missed sends the
# nearest lead time still ahead. Only to owners who turned care reminders on.
CARE_REMINDER_LEAD_DAYS = (30, 7, 0)
CARE_REMINDER_BATCH = env.int("CARE_REMINDER_BATCH", default=500)
# Co-owner invitations expire after 14 days.
INVITATION_VALID_DAYS = 14
# "A business shall maintain records of consumer requests ... for at least 24 months"
# (CCPA regulations §7101): a closed data-subject request and its events are deleted 24
# months after it closed, unless its person is under a legal hold.
POLICY_DSAR_CASE_KEEP_MONTHS = 24
# Erasure keeps the practice's own clinical record (its entries on the person's animals,
# and those animals) for the practice's legal period after the entry date, by the
# practice's country; the next issue's retention job purges it then (issue 8 §6):
# California 3 years after the last visit (Cal. Code Regs. tit. 16 §2032.3), UK and EU
# 5 years (records of medicines for food-producing animals, VMR 2013 Sch. 3 / Reg. (EU)
# 2019/6 Art. 108), anything else 6 years (limitation period for claims).
# fmt: off
_EEA_AND_EU = (
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT",
    "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "IS", "LI", "NO",
)
# fmt: on
PRACTICE_CLINICAL_RETENTION_MONTHS: dict[str, int] = {
    "US": 36,  # VetPass serves California only in the US
    "GB": 60,
    **dict.fromkeys(_EEA_AND_EU, 60),
}
PRACTICE_CLINICAL_RETENTION_DEFAULT_MONTHS = 72
# Appointments (issue 11). A practice's own BookingRules row overrides the first two.
# Owners book, move or cancel no later than this many hours before the appointment.
APPOINTMENT_NOTICE_HOURS = 24
# Online (video) appointments only within this many days of the practice's latest
# clinical examination of the animal (the veterinary-client-patient relationship).
APPOINTMENT_VCPR_DAYS = 365
# The reminder email leaves this many hours before the appointment (once: a unique row).
APPOINTMENT_REMINDER_HOURS = 24
# How far ahead owners see bookable slots.
APPOINTMENT_BOOKING_DAYS = 60

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
