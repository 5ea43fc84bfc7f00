"""Settings for Sourcewise.

Two ways to run (see README): the embedded default needs no configuration at all (SQLite, tasks run
in-process, e-mail to the console); production reads everything from the environment.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from sourcing.env import env, env_bool, env_list

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env("SOURCEWISE_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DJANGO_DEBUG", default=True)

SECRET_KEY = env("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DJANGO_DEBUG is false.")
    if "DATABASE_URL" in os.environ:
        raise ImproperlyConfigured("SECRET_KEY must be set when DATABASE_URL is (the built-in key is public).")
    # Only for the embedded default; production refuses to start without a real key (above).
    SECRET_KEY = "embedded-default-insecure-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
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
    "guardian",
    "axes",
    "django_htmx",
    "sourcing",
    "sourcing.webhooks",
    "sourcing.categories",
    "sourcing.spend",
    "suppliers",
    "rfq",
]

MIDDLEWARE = [
    "sourcing.middleware.DrainRequestBodyMiddleware",  # first: it answers after every other step
    "django.middleware.security.SecurityMiddleware",
    "sourcing.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "sourcing.middleware.ProductNotFoundMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "sourcing.middleware.UserPreferencesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "sourcing.urls"
WSGI_APPLICATION = "sourcing.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "sourcing.context_processors.shell",
            ],
        },
    },
]

# Database: SQLite file for the embedded default, DATABASE_URL (PostgreSQL) otherwise.
# In production DATABASE_URL names the runtime role (owns no tables, cannot bypass row-level security);
# migrations run with the owner's URL (see README, docker-compose.yml).
_default_db = f"sqlite:///{VAR_DIR / 'sourcewise.sqlite3'}"
if "DATABASE_URL" not in os.environ:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {"default": dj_database_url.parse(env("DATABASE_URL", _default_db), conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the pages read while a background task writes; a writer waits up to 20 s for the other.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"}
# The role the application runs as; migrations grant it table privileges and nothing more.
DATABASE_APP_ROLE = env("DATABASE_APP_ROLE", "sourcewise_app")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "sourcing.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling on the interactive login (django-axes): lock a user+IP pair after 5 failures.
AXES_FAILURE_LIMIT = int(env("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "sourcing.web.axes_username"  # case-insensitive, like sign-in
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# How many reverse proxies in front append to X-Forwarded-For (0: the peer address is the client).
TRUSTED_PROXY_COUNT = int(env("TRUSTED_PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "sourcing.web.client_ip"

# Internationalisation: English and Simplified Chinese; the user's own language and zone win.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
FORMAT_MODULE_PATH = ["sourcing.formats"]
LOCALE_PATHS = [BASE_DIR / "sourcing" / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded documents and spend files; a spend export of a million lines is about 150 MB.
MAX_UPLOAD_BYTES = int(env("MAX_UPLOAD_MB", "300")) * 1_048_576
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1_048_576  # larger uploads stream to a temporary file
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG

# Cache (throttling, idempotency locks): Redis when configured, process memory otherwise.
REDIS_URL = env("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", "sourcewise"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Celery: Redis in production; tasks run in-process on the embedded default.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", REDIS_URL)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
# Without a broker, long-running tasks (imports, export jobs) run on this many threads of the web process
# (sourcing/background.py); 0 runs them inside the request, as the tests do unless they opt in.
BACKGROUND_THREADS = int(env("BACKGROUND_THREADS", "1"))
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
CELERY_TIMEZONE = "UTC"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# Outbound webhooks (sourcing/webhooks, docs/webhooks.md). Production refuses private, loopback, link-local,
# multicast and reserved targets; the embedded default allows them so a receiver on this machine works.
WEBHOOKS_ALLOW_PRIVATE_TARGETS = env_bool("WEBHOOKS_ALLOW_PRIVATE_TARGETS", default="DATABASE_URL" not in os.environ)
WEBHOOKS_TIMEOUT_SECONDS = float(env("WEBHOOKS_TIMEOUT_SECONDS", "15"))

# E-mail: console on the embedded default, SMTP when EMAIL_HOST is set.
EMAIL_HOST = env("EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = int(env("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
# Where people reach this installation; used in links inside e-mails (invitations).
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Sourcewise <no-reply@sourcewise.invalid>")

# Security. Production (DJANGO_DEBUG=false) gets HTTPS-only cookies, HSTS and redirects;
# `manage.py check --deploy` is clean under these (a test proves it).
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 12
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# The language cookie (signed-out visitors' choice) is read by the server only.
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
# Scripts, styles, fonts and images are the application's own (htmx and the API docs' Swagger UI are served
# from static files; its start-up script from the docs URL). Inline style attributes size the charts' bars.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)
    # The health check is probed over plain HTTP inside the container network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

GUARDIAN_RAISE_403 = False
ANONYMOUS_USER_NAME = None

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["sourcing.api.authentication.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["sourcing.api.permissions.HasScope"],
    "DEFAULT_THROTTLE_CLASSES": ["sourcing.api.throttling.ApiKeyRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"api_key": env("API_THROTTLE_RATE", "1200/min")},
    "DEFAULT_PAGINATION_CLASS": "sourcing.api.pagination.IdCursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["sourcing.api.filters.FilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "sourcing.api.schema.ApiAutoSchema",
    "EXCEPTION_HANDLER": "sourcing.api.errors.api_exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "UNAUTHENTICATED_USER": None,
}
# An agent's supplier proposals answered "another supplier may be the same company" (a probe of the supplier
# base for a credit code, website or phone), per agent and tenant, on the portal page and the partner API.
SUPPLIER_PROPOSAL_MATCH_RATE = env("SUPPLIER_PROPOSAL_MATCH_RATE", "20/hour")
SPECTACULAR_SETTINGS = {
    "TITLE": "Sourcewise API",
    "DESCRIPTION": "The ERP's interface to Sourcewise. Authenticate with `Authorization: Api-Key <key>`.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # 3.1: a nullable object is `oneOf: [$ref, {type: null}]`, which every 3.1 tool reads the same way (3.0's
    # `nullable` next to `allOf` is ambiguous, and strict validators and some generators ignore it).
    "OAS_VERSION": "3.1.0",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "sourcing.api.schema.postprocess_oas31"],
    # Choice sets used by several endpoints, or under field names several sets share ("status", "kind"),
    # get one name each in the schema.
    "ENUM_NAME_OVERRIDES": {
        "CertificationTypeEnum": "sourcing.categories.requirements.CertificationType",
        "CertificationStateEnum": "suppliers.models.CertificationState",
        "AuditTypeEnum": "sourcing.categories.requirements.AuditType",
        "SupplierStatusEnum": "suppliers.models.SupplierStatus",
        "AuditStatusEnum": "suppliers.models.AuditStatus",
        "TaskStatusEnum": "suppliers.models.TaskStatus",
        "SiteKindEnum": "suppliers.models.SiteKind",
        "RiskKindEnum": "suppliers.models.RiskKind",
        "ImportStatusEnum": "sourcing.spend.models.ImportStatus",
        "FindingKindEnum": "sourcing.spend.models.FindingKind",
        "FindingStatusEnum": "sourcing.spend.models.FindingStatus",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"no_client_error_tracebacks": {"()": "sourcing.logfilters.NoTracebackForClientErrors"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["no_client_error_tracebacks"]}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        # Django's own console handler would print every line a second time.
        "django": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO"), "propagate": False},
    },
}

DEMO_PASSWORD = "sourcewise-demo"
