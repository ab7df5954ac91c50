"""Patron settings, read from the environment (twelve-factor).

Defaults suit a laptop: SQLite in the project folder, plain HTTP on 127.0.0.1.
Set PATRON_SECURE=1 behind HTTPS in production (``patron check --deploy`` passes).
"""

import os
import tempfile
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG")
SECURE = env_bool("PATRON_SECURE")
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if SECURE:
        raise ImproperlyConfigured("SECRET_KEY must be set when PATRON_SECURE=1")
    SECRET_KEY = "insecure-local-only-" + "patron-development-key-never-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

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
    "django_htmx",
    "django_tasks_db",
    "axes",
    "patron.core",
    "patron.history",
    "patron.workspaces",
    "patron.customers",
    "patron.members",
    "patron.mail",
    "patron.calls",
    "patron.thirdparties",
    "patron.stream",
    "patron.notes",
    "patron.attachments",
    "patron.marketing",
    "patron.campaigns",
    "patron.telemarketing",
    "patron.lists",
    "patron.updates",
    "patron.exchange",
    "patron.sales",
    "patron.cases",
    "patron.loyalty",
    "patron.duplicates",
    "patron.portal",
    "patron.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "patron.workspaces.middleware.CurrentWorkspaceMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks: answers a locked-out login
]

ROOT_URLCONF = "patron.urls"
WSGI_APPLICATION = "patron.wsgi.application"

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
                "patron.workspaces.context_processors.workspace",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        # Kept open between requests, on SQLite too: opening one took 1.7 ms and began with
        # an empty page cache (gunicorn, SQLite, 1M customers: a customer-no. search's
        # median 9.5 -> 4.7-7.0 ms, a list of tags 4.5 -> 2.1-3.0).
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes the write lock at BEGIN, so concurrent writers queue instead of
    # failing halfway; WAL lets readers go on while one writes.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # A file, not memory, so tests can use several connections at once (concurrency tests);
    # one per process, so test runs side by side never share it.
    DATABASES["default"]["TEST"] = {
        "NAME": str(Path(tempfile.gettempdir()) / f"patron-test-{os.getpid()}.sqlite3")
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "workspaces.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Staff logins: django-axes counts failures and, after 5 for one email from one address,
# refuses that pair for 15 minutes from the last failure (429, patron/core/lockout.py).
# A success clears the count. The portal has its own limiter (patron/portal/auth.py).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "patron.core.lockout.username_of"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "patron.core.lockout.locked_out"
AXES_VERBOSE = False
AXES_CLIENT_IP_CALLABLE = "patron.core.client_address.client_address"
# How many reverse proxies stand in front of Patron, each appending to X-Forwarded-For
# (nginx: proxy_add_x_forwarded_for): the rate limits then count the client's address,
# not the proxy's (patron/core/client_address.py). 0: clients connect directly.
PATRON_PROXIES = int(os.environ.get("PATRON_PROXIES", "0"))
if PATRON_PROXIES < 0:
    raise ImproperlyConfigured("PATRON_PROXIES must be 0 or more")

LANGUAGE_CODE = "en-gb"
# Our own input formats first (patron/formats/en_GB/formats.py): ISO for date inputs.
FORMAT_MODULE_PATH = ["patron.formats"]
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

EMAIL_BACKEND_PATH = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
MAILERS = {
    "default": {
        "BACKEND": EMAIL_BACKEND_PATH,
        "OPTIONS": {
            "host": os.environ.get("EMAIL_HOST", "127.0.0.1"),
            "port": int(os.environ.get("EMAIL_PORT", "25")),
            "username": os.environ.get("EMAIL_HOST_USER", ""),
            "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
            "use_tls": env_bool("EMAIL_USE_TLS"),
            "timeout": 20,
        }
        if EMAIL_BACKEND_PATH.endswith("smtp.EmailBackend")
        else {},
    }
}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "patron@localhost")
# Background work (email, bulk delete) runs through django.tasks. PATRON_TASKS=immediate,
# the default, runs it at once inside the request: one process, nothing to forget to start.
# PATRON_TASKS=db (advised in production) queues it in the database for `patron worker`;
# without a running worker queued work waits, so it is a choice made on purpose.
PATRON_TASKS = os.environ.get("PATRON_TASKS", "immediate").strip().lower()
TASK_BACKENDS = {
    "immediate": "django.tasks.backends.immediate.ImmediateBackend",
    "db": "django_tasks_db.DatabaseBackend",
}
if PATRON_TASKS not in TASK_BACKENDS:
    raise ImproperlyConfigured("PATRON_TASKS must be 'immediate' or 'db'")
TASKS = {"default": {"BACKEND": TASK_BACKENDS[PATRON_TASKS]}}

# Security headers that hold in every mode; HTTPS-only ones follow PATRON_SECURE.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if SECURE:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "patron.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["patron.api.permissions.WorkspaceRolePermission"],
    # Filtersets sort with their own `ordering`; DRF's OrderingFilter on the same parameter
    # would sort again by only the terms it knows.
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "patron.api.pagination.PagePagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "patron.api.schema.ApiSchema",
    "EXCEPTION_HANDLER": "patron.api.errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Patron API",
    "DESCRIPTION": "Customers and organizations of the current workspace.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Fields of the same name with different choices (and one choice set under two field
    # names) get one schema name each, said here.
    "ENUM_NAME_OVERRIDES": {
        "CustomerKindEnum": "patron.customers.models.Customer.Kind",
        "CustomerStatusEnum": "patron.customers.models.Customer.Status",
        "EmailStatusEnum": "patron.mail.models.SentEmail.Status",
        "RunStatusEnum": "patron.campaigns.models.Status",
        "ResponseStateEnum": "patron.telemarketing.models.Response.State",
        "BulkUpdateKindEnum": "patron.updates.models.BulkUpdate.Kind",
        "BulkUpdateStateEnum": "patron.updates.models.BulkUpdate.State",
        "ListUsageEnum": "patron.lists.models.CustomerList.Usage",
        "ListOriginEnum": "patron.lists.models.CustomerList.Origin",
        # Bulk deletions and duplicate scans share these states: one enum names both.
        "JobStateEnum": "patron.duplicates.models.DuplicateScan.State",
        "QuoteStatusEnum": "patron.sales.models.QuoteStatus",
        "ServiceContractStatusEnum": "patron.sales.models.ServiceContract.Status",
    },
}

# Patron's own settings.
# Where customers reach Patron, for links in emails sent without a request (commands);
# pages use the address they were reached at.
PATRON_SITE_URL = os.environ.get("PATRON_SITE_URL", "http://127.0.0.1:8000")
PATRON_PURGE_AFTER_DAYS = int(os.environ.get("PATRON_PURGE_AFTER_DAYS", "30"))
# A merge or undo moving this many records or more runs as a background task.
PATRON_MERGE_BACKGROUND_ROWS = int(os.environ.get("PATRON_MERGE_BACKGROUND_ROWS", "20000"))
# A bulk-update file of this many rows or more is applied by a background task.
PATRON_BULK_UPDATE_BACKGROUND_ROWS = int(
    os.environ.get("PATRON_BULK_UPDATE_BACKGROUND_ROWS", "5000")
)
PATRON_DEFAULT_REGION = os.environ.get("PATRON_DEFAULT_REGION", "GB")
PATRON_LOGO_MAX_BYTES = int(os.environ.get("PATRON_LOGO_MAX_BYTES", str(2 * 1024 * 1024)))
PATRON_ATTACHMENT_MAX_BYTES = int(
    os.environ.get("PATRON_ATTACHMENT_MAX_BYTES", str(25 * 1024 * 1024))
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
