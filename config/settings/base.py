"""Settings shared by every environment; values come from the environment."""

import ipaddress
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parents[2]
VAR_DIR = Path(os.environ.get("MAILLAGE_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on", "oui"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
# A PostgreSQL streaming replica for the anonymous public reads (maillage/ops/replica.py); empty: none.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "").strip()

INSTALLED_APPS = [
    "maillage.accounts.admin_site.MaillageAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks",
    "django_tasks_db",
    "django_otp.plugins.otp_static",
    "maillage.accounts",
    "maillage.referentials",
    "maillage.structures",
    "maillage.actions",
    "maillage.history",
    "maillage.search",
    "maillage.exchange",
    "maillage.demo",
    "maillage.alerts",
    "maillage.audit",
    "maillage.observatory",
    "maillage.ops",
    "maillage.jobs",
    "maillage.api",
    "maillage.www",
]

MIDDLEWARE = [
    # First: one JSON line per request, whatever answers it (www/request_log.py).
    "maillage.www.request_log.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Only with a replica (DATABASE_REPLICA_URL): which requests may read from it.
    *(["maillage.ops.replica.ReplicaReadsMiddleware"] if DATABASE_REPLICA_URL else []),
    "maillage.www.middleware.refuse_nul_characters",
    "maillage.www.middleware.remember_site_url",
    "django_otp.middleware.OTPMiddleware",
    "maillage.accounts.middleware.RequireTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as its documentation asks: it turns a lockout into the French page.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # Axes first: it refuses a locked-out e-mail + address before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "maillage.accounts.admin_site.NationalAdminBackend",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "maillage" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "maillage.accounts.context_processors.roles",
                "maillage.www.page_cache.csrf_placeholder",
            ],
            # French plurals (« 0 fiche ») and « de »/« à » before a name, in every template.
            "builtins": ["maillage.www.templatetags.french"],
        },
    },
]


def database_config() -> dict:
    """`DATABASE_URL`, else an SQLite file under `var/`, tuned for a single-server load."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{VAR_DIR / 'maillage.sqlite3'}"
    # Connections are kept between requests (each gunicorn thread its own: no connect, no PRAGMAs, a warm page
    # cache), and checked before a request reuses one, so that a database restart costs only the requests in
    # flight (docs/drills.md).
    config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = {
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                # 64 MiB of page cache: bulk imports otherwise spill index pages to disk over and over.
                "PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY;"
            ),
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    return config


DATABASES = {"default": database_config()}
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = {**dj_database_url.parse(DATABASE_REPLICA_URL, conn_max_age=60),
                            "TEST": {"MIRROR": "default"}}  # fmt: skip
    DATABASE_ROUTERS = ["maillage.ops.replica.ReplicaRouter"]


def cache_config() -> dict:
    """One cache for every worker and node (rate limits, report caches): Redis when `REDIS_URL` is set (needs
    `pip install -e '.[redis]'`), else a table of the database (`maillage_cache`, created by the migrations)."""
    redis_url = os.environ.get("REDIS_URL", "").strip()
    if redis_url:
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url,
                "KEY_PREFIX": "maillage"}  # fmt: skip
    # Django culls a third of the table past MAX_ENTRIES: room for a rate counter per client and minute.
    return {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "maillage_cache",
            "OPTIONS": {"MAX_ENTRIES": 20000}}  # fmt: skip


def page_cache_config() -> dict:
    """Whole public pages for anonymous visitors (`www/page_cache.py`): Redis under another prefix when `REDIS_URL`
    is set, else files shared by the workers of this node (never the database: writers would queue behind it)."""
    redis_url = os.environ.get("REDIS_URL", "").strip()
    if redis_url:
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url,
                "KEY_PREFIX": "maillage-pages"}  # fmt: skip
    location = Path(os.environ.get("PAGE_CACHE_DIR", VAR_DIR / "cache" / "pages"))
    return {"BACKEND": "maillage.ops.file_cache.SampledCullFileCache", "LOCATION": str(location),
            "OPTIONS": {"MAX_ENTRIES": 20000}}  # fmt: skip


CACHES = {"default": cache_config(), "pages": page_cache_config()}
# How long a public page may be served from that cache at most (seconds; 0: never). A change of what it shows
# is seen at once: the key holds the version of the bank or of the figures.
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "300"))
# How long what a process worked out from the text index (a query's ranked matches, similar sheets, how many sheets
# hold a word) is kept for the other processes in the same cache (`search/shared.py`; seconds; 0: not shared).
SEARCH_SHARED_SECONDS = int(os.environ.get("SEARCH_SHARED_SECONDS", "600"))
# A starting server asks each kind of public page once before forking its workers (`maillage/warm_pages.py`).
WARM_PAGES = env_bool("WARM_PAGES", True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account:login"
LOGIN_REDIRECT_URL = "account:todo"
LOGOUT_REDIRECT_URL = "www:home"
# Lockout after 5 failures for the same e-mail from the same address, for 30 minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "maillage.accounts.lockout.attempted_email"
AXES_LOCKOUT_CALLABLE = "maillage.accounts.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "maillage.accounts.client.client_address"
AXES_VERBOSE = False
OTP_TOTP_ISSUER = "Maillage"
# Two weeks at most; "Rester connecté" unticked ends the session when the browser closes.
SESSION_COOKIE_AGE = 14 * 24 * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = False
PASSWORD_RESET_TIMEOUT = 3 * 3600

LANGUAGE_CODE = "fr-fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "maillage" / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
# The observatory's prebuilt workbook and plaquettes (rebuilt by the worker after each figures refresh; kept with the
# media, so backups carry them). PUBLICATIONS_PREBUILD=0: built on demand only.
PUBLICATIONS_ROOT = Path(os.environ.get("PUBLICATIONS_ROOT", MEDIA_ROOT / "publications"))
PUBLICATIONS_PREBUILD = env_bool("PUBLICATIONS_PREBUILD", True)

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Base URL used in exports (`url` of each sheet), the API description and e-mails; the site may run behind a proxy.
# Not configured: pages' links follow the request's address, e-mails of the worker this default (maillage/site_url.py).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SITE_URL_CONFIGURED = bool(os.environ.get("SITE_URL"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "maillage.json_logs.JsonLines"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "json": {"class": "logging.StreamHandler", "formatter": "json"},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    # One JSON line per request on stderr (www/request_log.py); REQUEST_LOG_LEVEL=WARNING silences it.
    "loggers": {
        "maillage.requests": {
            "handlers": ["json"],
            "level": os.environ.get("REQUEST_LOG_LEVEL", "INFO"),
            "propagate": False,
        },
    },
}

# Addresses (or CIDR blocks) of the reverse proxies whose X-Forwarded-For is believed; none by default.
# `accounts.client.client_address` reads it for the audit log, the login lockout and the rate limits.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"TRUSTED_PROXIES : « {_proxy} » n'est ni une adresse IP ni un réseau (par exemple 10.0.0.0/8)."
        ) from None

# Requests per minute and per client address (0 turns a limit off): the open API, the web exports
# (lists of actions, observatory files), and login attempts (on top of the lockout of one e-mail).
API_RATE_LIMIT_PER_MINUTE = int(os.environ.get("API_RATE_LIMIT_PER_MINUTE", "120"))
EXPORT_RATE_LIMIT_PER_MINUTE = int(os.environ.get("EXPORT_RATE_LIMIT_PER_MINUTE", "20"))
# « Signaler une erreur » on a sheet: messages per client address and minute (0: no limit).
ERROR_REPORT_RATE_LIMIT_PER_MINUTE = int(os.environ.get("ERROR_REPORT_RATE_LIMIT_PER_MINUTE", "5"))
LOGIN_RATE_LIMIT_PER_MINUTE = int(os.environ.get("LOGIN_RATE_LIMIT_PER_MINUTE", "10"))

# Content-Security-Policy of every page: scripts, styles, images and fonts from the site only, no inline
# script or style attribute, no framing. Attachments set a stricter one of their own.
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

# Sender of the platform's e-mails (alerts, later invitations); production sets its own.
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Maillage <ne-pas-repondre@localhost>")

# Uploaded import files wait here between the dry run and the confirmation (never under MEDIA_ROOT).
IMPORT_UPLOAD_DIR = Path(os.environ.get("IMPORT_UPLOAD_DIR", VAR_DIR / "imports"))

# `/sante/pret` answers 503 when a data directory (attachments, imports, the SQLite file) has less room left.
HEALTH_MIN_FREE_DISK_MB = int(os.environ.get("HEALTH_MIN_FREE_DISK_MB", "200"))

# Background tasks (maillage/jobs): jobs kept in the database, run by `maillage worker` (`make run` and
# `make serve` start two: one for every queue, one for the "emails" queue alone, so that a long import or
# refresh never holds an e-mail back). The tests run them at once (config/settings/test.py).
TASK_QUEUES = ["default", "emails"]
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": TASK_QUEUES}}
TASK_WORKER_HEARTBEAT_SECONDS = 5
TASK_WORKER_STALE_SECONDS = 60  # a worker silent this long is taken for dead, and its job runs again
TASK_QUEUE_MAX_LAG_SECONDS = 300  # `/sante/pret` reports the queue « lagging » past this wait
# Finished jobs are deleted by the worker after this many days.
TASK_RESULTS_KEEP_DAYS = int(os.environ.get("TASK_RESULTS_KEEP_DAYS", "14"))
# After a validation, the year's figures are recomputed once this delay has passed (ten validations in a
# minute give one refresh).
FIGURES_REFRESH_DELAY_SECONDS = int(os.environ.get("FIGURES_REFRESH_DELAY_SECONDS", "30"))
# E-mails are sent by a task (maillage/jobs/mail.py), tried again 1 min, 4 min, 16 min… later when the mail
# server is unreachable, at most this many times.
EMAIL_MAX_ATTEMPTS = 6
EMAIL_RETRY_SECONDS = 60
