"""One settings module, read from the environment.

Secrets have no fallback: without SECRET_KEY the project refuses to start. `make run` and
`make test` write a local .env with a generated key on first use.
"""

import os
from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# Booleans and numbers are read strictly: `AXES_ENABLED=ture` must stop the start-up, naming
# the variable, rather than quietly read as false (healthchecks' envbool / envint).
TRUE_WORDS = {"true", "1", "yes", "on"}
FALSE_WORDS = {"false", "0", "no", "off"}


def _refuse(name: str, value: str, expected: str):
    return ImproperlyConfigured(f"Environment variable {name}={value!r} is not {expected}.")


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name, "").strip()
    if value == "":
        return default
    if value.lower() in TRUE_WORDS:
        return True
    if value.lower() in FALSE_WORDS:
        return False
    raise _refuse(name, value, "a boolean (true/false, 1/0, yes/no, on/off)")


def envint(name: str, default: int, *, minimum: int = 0) -> int:
    value = os.environ.get(name, "").strip()
    if value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise _refuse(name, value, "a whole number") from None
    if number < minimum:
        raise _refuse(name, value, f"a whole number of at least {minimum}")
    return number


def envfloat(name: str, default: float) -> float:
    value = os.environ.get(name, "").strip()
    if value == "":
        return default
    try:
        number = float(value)
    except ValueError:
        raise _refuse(name, value, "a number") from None
    if not number > 0:
        raise _refuse(name, value, "a number above 0")
    return number


def envints(name: str, default: list[int]) -> list[int]:
    value = os.environ.get(name, "").strip()
    if value == "":
        return default
    try:
        numbers = [int(part) for part in value.split(",")]
    except ValueError:
        raise _refuse(name, value, "a comma-separated list of whole numbers") from None
    if any(number < 0 for number in numbers):
        raise _refuse(name, value, "a list of whole numbers of at least 0")
    return numbers


SECRET_KEY = env.str("SECRET_KEY")
DEBUG = envbool("DEBUG", False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "django_celery_beat",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "practice",
    "goals",
    "engagement",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After WhiteNoise (static files stay cacheable): every page is sent with no-store.
    "practice.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "practice.middleware.PracticeTimezoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After messages: signing a clinician out tells them why.
    "practice.middleware.StaffIdleTimeoutMiddleware",
    # After the idle timeout: a staff member with two-step sign-in gives the code before any
    # page, and where the practice requires it, one without enrols first.
    "practice.mfa.middleware.StaffTwoStepMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "practice.urls"
WSGI_APPLICATION = "practice.wsgi.application"

# The template loaders, named: in production (DEBUG off) the cached loader keeps every compiled
# template for the life of the process; with DEBUG the plain loaders read each template afresh,
# so an edited template shows on the next request.
TEMPLATE_LOADERS = [
    "django.template.loaders.filesystem.Loader",
    "django.template.loaders.app_directories.Loader",
]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "OPTIONS": {
            "loaders": (
                TEMPLATE_LOADERS
                if DEBUG
                else [("django.template.loaders.cached.Loader", TEMPLATE_LOADERS)]
            ),
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "practice.context_processors.practice",
            ],
        },
    },
]

# SQLite in WAL mode with immediate transactions is the embedded default: web, worker and
# beat share one file without "database is locked".
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"].setdefault("TEST", {"NAME": ":memory:"})
else:
    DATABASES["default"]["CONN_MAX_AGE"] = envint("CONN_MAX_AGE", 60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "practice.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# The largest form a request may carry (2.5 MB: a long session note is well under 100 kB) and
# its number of fields; past either, the user gets templates/400.html saying nothing was saved.
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("DATA_UPLOAD_MAX_MEMORY_SIZE", 2_621_440, minimum=1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = envint("DATA_UPLOAD_MAX_NUMBER_FIELDS", 1000, minimum=100)

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_RESET_TIMEOUT = envint("PASSWORD_RESET_TIMEOUT", 60 * 60 * 24, minimum=1)
INVITATION_MAX_AGE = envint("INVITATION_MAX_AGE", 60 * 60 * 24 * 7, minimum=1)
# Break-the-glass: how long a clinician outside the care team may read a record.
BREAK_GLASS_MINUTES = envint("BREAK_GLASS_MINUTES", 60, minimum=1)
# Two-step sign-in: wrong codes slow the next attempt down (django-otp doubles the wait).
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1

# Parents keep a portal session for two weeks; staff are signed out after a quiet spell.
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", 60 * 60 * 24 * 14, minimum=1)
STAFF_IDLE_TIMEOUT = envint("STAFF_IDLE_TIMEOUT", 30 * 60, minimum=1)

# Login throttling (django-axes, practice/throttle.py). Failures are counted per pair (address
# typed, IP): AXES_FAILURE_LIMIT of them lock that pair for AXES_COOLOFF_MINUTES. One IP is
# also locked after AXES_IP_FAILURE_LIMIT failures across all accounts (one address guessing
# many accounts' passwords), set higher so that a clinic's shared network survives its staff's
# typos. Never by the address alone: a lockout of a user cannot be triggered by anyone from
# anywhere, only from the IP that made the failures. Counted in the database (axes'
# AccessAttempt), so the limits hold across every web process and machine.
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_IP_FAILURE_LIMIT = envint("AXES_IP_FAILURE_LIMIT", 20, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=envint("AXES_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "practice.throttle.PracticeAxesHandler"
# The client's address (practice.auditlog.services.client_ip): REMOTE_ADDR, or behind
# TRUSTED_PROXY_COUNT proxies the address in X-Forwarded-For that the outermost of them saw.
AXES_CLIENT_IP_CALLABLE = "practice.auditlog.services.client_ip"
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 0)
# Password reset (practice/throttle.py): at most this many requests per address and per IP in
# the window, counted from the audit's password_reset.request events in the database.
PASSWORD_RESET_PER_ADDRESS = envint("PASSWORD_RESET_PER_ADDRESS", 3, minimum=1)
PASSWORD_RESET_PER_IP = envint("PASSWORD_RESET_PER_IP", 10, minimum=1)
PASSWORD_RESET_WINDOW_MINUTES = envint("PASSWORD_RESET_WINDOW_MINUTES", 60, minimum=1)
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "practice.forms.login_username"
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = envbool("AXES_ENABLED", True)

LANGUAGE_CODE = "en-gb"
LANGUAGES = [("en-gb", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_TZ = True
PRACTICE_DEFAULT_TIMEZONE = env.str("PRACTICE_TIMEZONE", default="Europe/London")

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Email: the outbox (practice/outbox/) hands every message to this backend; the console backend
# is the safe default for development.
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="127.0.0.1")
EMAIL_PORT = envint("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", 10, minimum=1)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="practice@localhost")
# The outbox (practice/outbox/): the right-hand side of every Message-ID; the waits, in seconds,
# before each retry after an SMTP error (the row is `failed` after the last); how long a row
# may sit in `sending` (its worker died) before it is picked up again; rows sent per task.
EMAIL_MESSAGE_ID_DOMAIN = env.str("EMAIL_MESSAGE_ID_DOMAIN", default="practice.localhost")
OUTBOX_RETRY_DELAYS = envints("OUTBOX_RETRY_DELAYS", [60, 300, 900, 3600])
OUTBOX_STUCK_SECONDS = envint("OUTBOX_STUCK_SECONDS", 600, minimum=1)
OUTBOX_CHUNK_SIZE = envint("OUTBOX_CHUNK_SIZE", 250, minimum=1)
# Rows of a chunk marked sent with one UPDATE (a worker that dies repeats at most these).
OUTBOX_MARK_EVERY = envint("OUTBOX_MARK_EVERY", 20, minimum=1)
# A progress update still without its email this long after it was opened lost its worker:
# the tick hands it out again (engagement/updates/delivery.py).
PROGRESS_RENDER_STALE_SECONDS = envint("PROGRESS_RENDER_STALE_SECONDS", 300, minimum=1)

# Celery: Redis when REDIS_URL is set, otherwise kombu's filesystem transport, which needs no
# server but still runs a real worker and beat.
REDIS_URL = env.str("REDIS_URL", default="")
BROKER_DIR = BASE_DIR / "var" / "broker"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
else:
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "out"),
        "data_folder_out": str(BROKER_DIR / "out"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }

# The cache holds the pages' fragments (practice/fragments.py): Redis when REDIS_URL is set,
# each process's own memory otherwise (make run, tests). Never a database or file cache: the
# fragments are clinical HTML, which stays in the database's own (encrypted) columns.
CACHE_URL = env.str("CACHE_URL", default=REDIS_URL)
if CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "engagement",
            "TIMEOUT": 60 * 60,
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "fragments",
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# The beat schedule lives here, in one place.
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {"task": "practice.tasks.heartbeat", "schedule": 60.0},
    # Sends what is due and picks up rows whose worker died (practice/outbox/).
    "outbox-sweep": {"task": "practice.outbox.tasks.outbox_sweep", "schedule": 60.0},
    # Progress updates whose time has come (engagement/updates/).
    "progress-updates": {
        "task": "engagement.updates.tasks.progress_updates_tick",
        "schedule": envfloat("PROGRESS_TICK_SECONDS", 300.0),
    },
    # Reminders about 24 hours before each session (engagement/notices/).
    "session-reminders": {
        "task": "engagement.notices.tasks.session_reminders_tick",
        "schedule": 900.0,
    },
    # The families' engagement signals roll to today's 8-week window after the practice's
    # midnight (engagement/engagement_signals/stored.py); hourly, whatever the timezone.
    "engagement-signals-roll": {
        "task": "engagement.engagement_signals.tasks.engagement_signals_roll",
        "schedule": 3600.0,
    },
}

# Content-Security-Policy: nothing inline, nothing from elsewhere.
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
    }
}

# Production safety: everything below follows from DEBUG being off.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0 if DEBUG else 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# The benchmark's bare view (/bench/bare/, practice/bench.py) is routed only by the bench's own
# URLconf (practice/bench_urls.py: every page plus that one), selected here when bench/run.py
# sets BENCH_BARE_VIEW; the production URLconf never has it.
BENCH_BARE_VIEW = envbool("BENCH_BARE_VIEW", False)
if BENCH_BARE_VIEW:
    ROOT_URLCONF = "practice.bench_urls"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
