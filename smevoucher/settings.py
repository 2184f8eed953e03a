"""One settings module, configured by environment variables.

Embedded default (nothing set): SQLite file in the project folder, local private files, tasks run
in-process, e-mail to the console. Production: set DATABASE_URL, REDIS_URL, SECRET_KEY, ALLOWED_HOSTS,
DEBUG=0 and, for object storage, the S3_* variables.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONCE
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG")
SECRET_KEY = os.environ.get("SECRET_KEY", "django-insecure-dev-only-key-set-SECRET_KEY-in-production")
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS")  # the previous key while rotating (README, Operations)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# Behind the TLS proxy: the client address is taken from X-Forwarded-For, counting TRUSTED_PROXY_COUNT
# proxies from the right, and only when the peer is in TRUSTED_PROXIES (if set). Otherwise REMOTE_ADDR only.
BEHIND_TLS_PROXY = env_bool("BEHIND_TLS_PROXY")
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "1"))
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")

INSTALLED_APPS = [
    # Ours first: their translations take precedence over Django's for the same words.
    "smevoucher.core",
    "smevoucher.accounts",
    "smevoucher.enterprises",
    "smevoucher.directory",
    "smevoucher.providers",
    "smevoucher.catalogue",
    "smevoucher.documents",
    "smevoucher.notices",
    "smevoucher.vouchers",
    "smevoucher.orders",
    "smevoucher.integrity",
    "smevoucher.redemption",
    "smevoucher.feedback",
    "smevoucher.workbench",
    "smevoucher.reporting",
    "smevoucher.ops",
    "smevoucher.demo",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rules.apps.AutodiscoverRulesConfig",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served from our own static files, not a CDN
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "health_check",
    "django_prometheus",
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",  # first: latency of the whole stack
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "smevoucher.core.middleware.LanguageMiddleware",
    "smevoucher.core.middleware.RefuseNulMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "smevoucher.core.middleware.NoStoreMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "smevoucher.accounts.middleware.TwoFactorRequiredMiddleware",
    "smevoucher.core.middleware.RequestContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",  # last: status and view name per request
]

ROOT_URLCONF = "smevoucher.urls"
WSGI_APPLICATION = "smevoucher.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "smevoucher.accounts.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Concurrent page loads of the embedded default wait for the write lock instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    # Tests use Django's in-memory database; named so, pytest-xdist's workers keep it instead of a file name of theirs.
    DATABASES["default"].setdefault("TEST", {})["NAME"] = ":memory:"
    # The order list's covering index (INCLUDE) is a PostgreSQL speed-up; SQLite keeps the key columns only.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
# Read replica (core/replica.py): only reads a view opts into, outside transactions, go there. Without
# REPLICA_DATABASE_URL the alias is the primary itself (and in tests a mirror of it) and nothing is routed to it.
READ_REPLICA_ENABLED = bool(os.environ.get("REPLICA_DATABASE_URL"))
DATABASES["replica"] = {
    **(
        dj_database_url.parse(os.environ["REPLICA_DATABASE_URL"], conn_max_age=DATABASES["default"]["CONN_MAX_AGE"])
        if READ_REPLICA_ENABLED
        else DATABASES["default"]
    ),
    "TEST": {"MIRROR": "default"},
}
DATABASE_ROUTERS = ["smevoucher.core.replica.PrimaryReplicaRouter"]
for _database in DATABASES.values():
    _options = _database.setdefault("OPTIONS", {})  # the replica may share the primary's
    if _database["ENGINE"].endswith("postgresql") and "random_page_cost" not in _options.get("options", ""):
        # The planner's price of a random page read, set for SSD storage (PostgreSQL's default 4 prices a spinning
        # disk): at 1M orders a searched list's bounded count walked the table where its indexes answer in
        # milliseconds (issue 16).
        _options["options"] = f"{_options.get('options', '')} -c random_page_cost=1.1".strip()
# Query counts and latency per database for /metrics (django-prometheus wraps the same backends).
for _database in DATABASES.values():
    _database["ENGINE"] = _database["ENGINE"].replace("django.db.backends.", "django_prometheus.db.backends.")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # must come first: counts failures and refuses locked users
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "workbench:home"
LOGOUT_REDIRECT_URL = "core:home"

# Lock after repeated failed log-ins (per user name and address, and per address across user names),
# released after the cool-off. The address is the one core.client_address decides (see BEHIND_TLS_PROXY).
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_ADDRESS_FAILURE_LIMIT = int(os.environ.get("AXES_ADDRESS_FAILURE_LIMIT", "20"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]  # this order: accounts/lockout.py
AXES_HANDLER = "smevoucher.accounts.lockout.AddressAwareHandler"
AXES_CLIENT_IP_CALLABLE = "smevoucher.core.client_address.client_address"
AXES_LOCKOUT_CALLABLE = "smevoucher.accounts.views.locked_out"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

OTP_TOTP_ISSUER = "中小微企业服务券平台"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
# Each app keeps its own translations in <app>/locale (base templates belong to core).
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "smevoucher" / "static"]

# Uploaded materials are private: they live outside every URL space and are served only through
# permission-checked views (DESIGN §5). There is deliberately no MEDIA_URL.
PRIVATE_FILES_ROOT = Path(os.environ.get("PRIVATE_FILES_ROOT", BASE_DIR / "var" / "private"))
if os.environ.get("S3_BUCKET"):
    default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["S3_BUCKET"],
            "endpoint_url": os.environ.get("S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("S3_REGION") or None,
            "access_key": os.environ.get("S3_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("S3_SECRET_ACCESS_KEY") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    default_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_FILES_ROOT, "base_url": None},
    }
STORAGES = {
    "default": default_storage,
    # Compressed copies for production (collectstatic); no manifest, so pages render before collectstatic.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# Uploaded materials (R15): PDF, JPEG or PNG, checked by content; several files of one material are merged.
DOCUMENTS_MAX_BYTES = int(os.environ.get("DOCUMENTS_MAX_BYTES", str(5 * 1024 * 1024)))
DOCUMENTS_MAX_FILES = 30
DOCUMENTS_MIN_IMAGE_SIDE = 600  # pixels on the shorter side, so a scan or photo is readable
# What checking one material may cost (issue 14), read from headers before anything is decoded.
DOCUMENTS_MAX_IMAGE_PIXELS = 36_000_000  # per image: an A4 page scanned at 600 dpi, a 36-megapixel photo
DOCUMENTS_MAX_MATERIAL_PIXELS = 100_000_000  # all images of one material together
DOCUMENTS_MAX_PAGES = 200  # pages of one material
DOCUMENTS_MAX_PDF_OBJECTS = 20_000  # objects of one PDF, counted in its cross-reference table
DOCUMENTS_CHECK_SECONDS = 20  # time to check and merge one material (a loaded server is slower)
# Upload volume per organisation and local calendar day; organisations not yet approved get far less.
DOCUMENTS_DAILY_MATERIALS = int(os.environ.get("DOCUMENTS_DAILY_MATERIALS", "300"))
DOCUMENTS_DAILY_BYTES = int(os.environ.get("DOCUMENTS_DAILY_BYTES", str(500 * 1024 * 1024)))
DOCUMENTS_DAILY_MATERIALS_PENDING = int(os.environ.get("DOCUMENTS_DAILY_MATERIALS_PENDING", "10"))
DOCUMENTS_DAILY_BYTES_PENDING = int(os.environ.get("DOCUMENTS_DAILY_BYTES_PENDING", str(25 * 1024 * 1024)))

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "服务券平台 <noreply@968115.example>")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")  # absolute links in e-mails

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "smevoucher.ops.cache.InstrumentedRedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django_prometheus.cache.backends.locmem.LocMemCache"}}

# Without a broker, tasks run in-process (eagerly) so the embedded default needs nothing else.
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
# New audit events are chained right after their commit when tasks run in-process; with workers the beat job
# below seals them every few seconds, so a rush of requests does not queue one sealing task each.
AUDIT_SEAL_AFTER_COMMIT = env_bool("AUDIT_SEAL_AFTER_COMMIT", not REDIS_URL)

# Periodic jobs, all listed here in one place.
CELERY_BEAT_SCHEDULE: dict = {
    "seal-audit-log": {"task": "smevoucher.core.tasks.seal_audit_log", "schedule": 10.0},
    "verify-audit-log": {"task": "smevoucher.core.tasks.verify_audit_log", "schedule": 3600.0},
    "purge-exports": {"task": "smevoucher.reporting.tasks.purge_exports", "schedule": 3600.0},
    "allocate-due-batches": {"task": "smevoucher.vouchers.tasks.allocate_due_batches", "schedule": 60.0},
    # Every deadline in one pass (R8, R9 and R10; orders' R9/R10 step is registered into it).
    "voucher-reclaim-sweep": {"task": "smevoucher.vouchers.tasks.reclaim_sweep", "schedule": 600.0},
    "voucher-reminders": {"task": "smevoucher.vouchers.tasks.send_reminders", "schedule": 3600.0},
    "order-reminders": {"task": "smevoucher.orders.tasks.send_order_reminders", "schedule": 3600.0},
    "letter-reminders": {"task": "smevoucher.providers.tasks.send_letter_reminders", "schedule": 3600.0},
    "integrity-nightly-scan": {
        "task": "smevoucher.integrity.tasks.nightly_scan",
        "schedule": crontab(hour=2, minute=30),
    },
    "reporting-figures-refresh": {"task": "smevoucher.reporting.tasks.refresh_figures", "schedule": 300.0},
}
# Issue 17: thresholds of the integrity signals (the reasoning is in each signal's docstring,
# smevoucher/integrity/signals/). Ratios are basis points.
INTEGRITY_SCAN_ON_EVENT = env_bool("INTEGRITY_SCAN_ON_EVENT", True)  # the incremental run after order events
INTEGRITY_PRICE_COMPARABLE_RATIO_BP = 25000  # price above 2.5 × the median of the product's own comparables
INTEGRITY_PRICE_CATEGORY_RATIO_BP = 40000  # price above 4 × the category's median tier price
INTEGRITY_SPLIT_WINDOW_DAYS = 14  # orders of one product from one pair this close form one run
INTEGRITY_SPLIT_MIN_ORDERS = 2
INTEGRITY_TIMING_SHARE_BP = 3000  # completed in under 30 % of the stated service cycle
INTEGRITY_TIMING_MIN_HOURS = 48  # when the cycle cannot be read
INTEGRITY_BURST_DAYS = 7
INTEGRITY_BURST_MIN_ENTERPRISES = 5
INTEGRITY_BURST_RATIO_BP = 40000  # at least 4 × what the city's sign-ups in the window would give by chance
INTEGRITY_SYNDICATE_MIN_SIZE = 3

# R14: remind enterprises this many days before each voucher deadline.
VOUCHER_REMINDER_DAYS = [int(d) for d in env_list("VOUCHER_REMINDER_DAYS", "7,1")]

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "smevoucher.accounts.tokens.CachedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "smevoucher.core.api.exception_handler",
    "DEFAULT_PAGINATION_CLASS": "smevoucher.core.api.BoundedPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_PARSER_CLASSES": [
        "smevoucher.core.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
}
API_MAX_JSON_DEPTH = 32  # no request of ours nests deeper; a deeper body is refused with a 400
SPECTACULAR_SETTINGS = {
    "TITLE": "SME Service Voucher Platform API",
    "DESCRIPTION": "中小微企业服务券平台 REST API. Amounts are integer fen.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "smevoucher.core.api.document_errors"],
    # One name per shared choice set (enterprise profile and product target groups use the same ones).
    "ENUM_NAME_OVERRIDES": {
        "BatchStatusEnum": "smevoucher.vouchers.models.Batch.Status",
        "ClaimStatusEnum": "smevoucher.vouchers.models.Claim.Status",
        "SizeEnum": "smevoucher.enterprises.models.Size",
        "IndustryEnum": "smevoucher.enterprises.models.Industry",
        "OrganisationKindEnum": "smevoucher.accounts.models.Organisation.Kind",
        "MaterialKindEnum": "smevoucher.documents.models.Kind",
        "LedgerTransactionKindEnum": "smevoucher.vouchers.models.LedgerTransaction.Kind",
        "NoticeCategoryEnum": "smevoucher.notices.models.Notice.Category",
        "ProductCategoryEnum": "smevoucher.catalogue.models.Category",
        "ProductStatusEnum": "smevoucher.catalogue.models.Product.Status",
        "EnterpriseStatusEnum": "smevoucher.enterprises.models.Enterprise.Status",
        "ProviderStatusEnum": "smevoucher.providers.models.Provider.Status",
        "ChangeRequestStatusEnum": "smevoucher.providers.models.ChangeRequest.Status",
    },
}

# API tokens (django-rest-knox): one per client, stored hashed, expiring; the header stays "Token <t>".
# Handling-unit staff and administrators get shorter-lived ones (they also need a TOTP code to get one).
KNOX_TOKEN_MODEL = "accounts.ApiToken"
# knox's own migrations would create its (replaced) token table anyway, and a table no model knows of that
# points at users breaks flushing the database; without them only accounts.ApiToken's table exists.
MIGRATION_MODULES = {"knox": None}
API_TOKEN_TTL = timedelta(hours=int(os.environ.get("API_TOKEN_TTL_HOURS", str(30 * 24))))
API_TOKEN_TTL_STAFF = timedelta(hours=int(os.environ.get("API_TOKEN_TTL_STAFF_HOURS", "8")))
API_TOKENS_PER_USER = 10
# Authentication reads a token from the cache, not the database (accounts.tokens); revocation drops it at once.
API_TOKEN_CACHE_SECONDS = int(os.environ.get("API_TOKEN_CACHE_SECONDS", "300"))
REST_KNOX = {
    "TOKEN_TTL": API_TOKEN_TTL,
    "AUTH_HEADER_PREFIX": "Token",
    "AUTO_REFRESH": False,
}

# Per client address (core.client_address), counted in the default cache: Redis with REDIS_URL.
RATE_LIMITS = {"signup": "10/h", "login": "30/m", "password_reset": "10/h", "token": "30/m"}
RATELIMIT_VIEW = "smevoucher.core.ratelimits.rate_limited"

# Content-Security-Policy (django-csp): scripts and style sheets from our own origin only (inline scripts
# carry the request's nonce); style="" attributes are allowed (style-src-attr), <style> elements are not.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'", NONCE],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
    }
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(8 * 3600)))
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
if not DEBUG:
    # Set SECURE_COOKIES=1 behind TLS (production); the test live server speaks plain HTTP.
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES")
    CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    if BEHIND_TLS_PROXY:
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# LOG_FORMAT=json (production): one JSON object per line; every line carries the request id (core.request_context).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "smevoucher.core.request_context.RequestIdLogFilter"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "json" if os.environ.get("LOG_FORMAT") == "json" else "text",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    # Libraries that narrate every step at INFO.
    "loggers": {name: {"level": "WARNING"} for name in ("weasyprint", "fontTools", "pikepdf", "boto3", "botocore")},
}

# Operations (smevoucher/ops): Prometheus scrapes /metrics on each app server directly, from these addresses
# or networks only. /healthz and /readyz answer anyone who reaches the app server; the public nginx site lets only
# OPS_NETWORKS reach /readyz (which names its checks).
METRICS_ALLOWED_ADDRESSES = env_list("METRICS_ALLOWED_ADDRESSES", "127.0.0.1,::1")
SECURE_REDIRECT_EXEMPT = [r"^(healthz|readyz|metrics)$"]  # probed on each app server directly, over plain HTTP
READY_MAX_REPLICA_LAG_SECONDS = int(os.environ.get("READY_MAX_REPLICA_LAG_SECONDS", "60"))
