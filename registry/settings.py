"""Settings of the registry, every one from the environment (README "Configuration" lists them).

The embedded default (nothing set but DJANGO_DEBUG=true) is SQLite under var/, eager tasks and console
email, so that `make run` needs nothing but Python.
"""

import datetime
import re
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from .env import env_bool, env_choice, env_int, env_int_list, env_list, env_required, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DJANGO_DEBUG", False)
if DEBUG:
    SECRET_KEY = env_str("DJANGO_SECRET_KEY", "django-insecure-development-only-key-never-use-in-production")
else:
    SECRET_KEY = env_required("DJANGO_SECRET_KEY", "it signs sessions and tokens, and DJANGO_DEBUG is off")
if DEBUG:
    ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
else:
    # Without it every request would be answered 400: better to refuse to start.
    env_required("DJANGO_ALLOWED_HOSTS", "it names the hosts this site answers for, and DJANGO_DEBUG is off")
    ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", [])
# An X-Request-ID from the client is kept only behind a proxy that sets it; otherwise one is made here.
TRUST_REQUEST_ID_HEADER = env_bool("DJANGO_TRUST_REQUEST_ID_HEADER", False)
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "corsheaders",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    # django-axes, named for the admin's index in both languages (registry/apps.py).
    "registry.apps.LoginProtectionConfig",
    "licensing",
]

MIDDLEWARE = [
    "registry.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy (SECURE_CSP) and Permissions-Policy on every response, static files included.
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "registry.headers.PermissionsPolicyMiddleware",
    # Static files (the site's CSS, the admin's) straight from the app, before any other work.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # After the locale (its 400 speaks the visitor's language), before anything reads the input.
    "registry.middleware.InputGuardMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its lockout response.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "registry.urls"
WSGI_APPLICATION = "registry.wsgi.application"
ASGI_APPLICATION = "registry.asgi.application"

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
                "django.template.context_processors.csp",
            ],
        },
    },
]

# Database: DATABASE_URL, default a SQLite file under var/.
_default_database_url = f"sqlite:///{BASE_DIR / 'var' / 'registry.sqlite3'}"
if not env_str("DATABASE_URL"):
    (BASE_DIR / "var").mkdir(exist_ok=True)
try:
    DATABASES = {
        "default": dj_database_url.parse(
            env_str("DATABASE_URL", _default_database_url),
            conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0),
            conn_health_checks=True,
        )
    }
except ValueError as error:
    raise ImproperlyConfigured(f"DATABASE_URL is not a database URL Django can use: {error}") from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions take the write lock at BEGIN, so concurrent writers queue instead of failing
    # with "database is locked" when a read transaction tries to upgrade; WAL lets readers run meanwhile.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# How many proxies in front of the web processes append to X-Forwarded-For (0: none, the header is not
# believed). One setting for the client address of login lockouts and throttles (registry.proxies);
# API_NUM_PROXIES, its former name, is read when it is not set.
TRUSTED_PROXY_COUNT = env_int(
    "DJANGO_TRUSTED_PROXY_COUNT", env_int("API_NUM_PROXIES", 0, minimum=0), minimum=0
)

# Login protection (django-axes): after AXES_FAILURE_LIMIT failed logins for one username from one
# address, that pair is locked out for AXES_COOLOFF_MINUTES.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The address is the client's as the trusted proxies report it (registry.proxies), not the proxy's.
AXES_CLIENT_IP_CALLABLE = "registry.proxies.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Internationalisation: Chinese first, English second; the locale middleware picks per request.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "licensing" / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
# WhiteNoise serves the files from the apps' static folders as well as from STATIC_ROOT, so the site is
# styled without a collectstatic step (`make run`, a plain gunicorn); it indexes them once at start.
WHITENOISE_USE_FINDERS = True

# Email (Django's MAILERS): console output unless an SMTP host is given. Every variable is parsed even
# without a host, so a typo fails at start rather than when the host is added.
_email_host = env_str("EMAIL_HOST")
_smtp_options = {
    "host": _email_host,
    "port": env_int("EMAIL_PORT", 587, minimum=1),
    "username": env_str("EMAIL_HOST_USER"),
    "password": env_str("EMAIL_HOST_PASSWORD"),
    "use_tls": env_bool("EMAIL_USE_TLS", True),
    "timeout": env_int("EMAIL_TIMEOUT", 10, minimum=1),
}
if _email_host:
    MAILERS = {
        "default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend", "OPTIONS": _smtp_options}
    }
else:
    # On the console: a line per email (registry.mail) in debug, the whole message otherwise.
    _console = env_choice("EMAIL_CONSOLE", "summary" if DEBUG else "full", ["summary", "full"])
    MAILERS = {
        "default": {
            "BACKEND": "registry.mail.SummaryEmailBackend"
            if _console == "summary"
            else "django.core.mail.backends.console.EmailBackend"
        }
    }
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "registry@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery: with REDIS_URL the broker is Redis; without it tasks run eagerly in the calling process.
REDIS_URL = env_str("REDIS_URL")
# The in-memory transport is never used for publishing (tasks run eagerly); a host in its URL keeps kombu
# from warning "No hostname was supplied" when it parses it.
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# Reminders, notifications and the sweep (licensing.sweep, reminders, notifications, emails, outbox).
# Beat runs the sweep on a static schedule; the sweep is idempotent, so a missed or doubled run is harmless.
LICENSING_SWEEP_INTERVAL_MINUTES = env_int("LICENSING_SWEEP_INTERVAL_MINUTES", 60, minimum=1)
CELERY_BEAT_SCHEDULE = {
    "licensing-sweep": {
        "task": "licensing.sweep",
        "schedule": LICENSING_SWEEP_INTERVAL_MINUTES * 60.0,  # seconds
    },
    # The day's snapshot of the register (licensing.api.snapshots), early each morning in CELERY_TIMEZONE.
    # Writing it again the same day replaces it, so a doubled run is harmless too.
    "licensing-snapshot": {
        "task": "licensing.write_snapshot",
        "schedule": crontab(hour=1, minute=0),
    },
    # Webhook deliveries due for a retry, offered more often than the sweep offers emails.
    "licensing-webhooks": {
        "task": "licensing.dispatch_webhooks",
        "schedule": 60.0,  # seconds
    },
}
# The daily snapshots: where they are kept, and for how many days (today's included).
LICENSING_SNAPSHOT_DIR = env_str("LICENSING_SNAPSHOT_DIR", str(BASE_DIR / "var" / "snapshots"))
LICENSING_SNAPSHOT_DAYS = env_int("LICENSING_SNAPSHOT_DAYS", 30, minimum=1)
# A failed email is tried again after LICENSING_SEND_RETRY_MINUTES, doubling each time, until it has been
# tried LICENSING_SEND_MAX_ATTEMPTS times; the sweep picks up the retries (no long countdowns in Redis).
LICENSING_SEND_MAX_ATTEMPTS = env_int("LICENSING_SEND_MAX_ATTEMPTS", 5, minimum=1)
LICENSING_SEND_RETRY_MINUTES = env_int("LICENSING_SEND_RETRY_MINUTES", 30, minimum=1)
# A worker's claim on an email lapses after this long, so one that died mid-send does not strand it.
LICENSING_SEND_LEASE_MINUTES = env_int("LICENSING_SEND_LEASE_MINUTES", 10, minimum=1)
# Webhooks (licensing.webhooks): each delivery waits WEBHOOKS_TIMEOUT_SECONDS for an answer; a failed one
# is retried after WEBHOOKS_RETRY_SECONDS, doubling each time up to an hour, for WEBHOOKS_GIVE_UP_HOURS,
# then marked failed. A webhook whose deliveries have failed for WEBHOOKS_PAUSE_AFTER_DAYS is paused and
# its owner emailed. URLs resolving to private, loopback or link-local addresses are refused unless
# WEBHOOKS_ALLOW_PRIVATE_ADDRESSES (a receiver on the registry's own network; tests).
WEBHOOKS_TIMEOUT_SECONDS = env_int("WEBHOOKS_TIMEOUT_SECONDS", 5, minimum=1)
WEBHOOKS_RETRY_SECONDS = env_int("WEBHOOKS_RETRY_SECONDS", 30, minimum=1)
WEBHOOKS_GIVE_UP_HOURS = env_int("WEBHOOKS_GIVE_UP_HOURS", 24, minimum=1)
WEBHOOKS_PAUSE_AFTER_DAYS = env_int("WEBHOOKS_PAUSE_AFTER_DAYS", 3, minimum=1)
WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = env_bool("WEBHOOKS_ALLOW_PRIVATE_ADDRESSES", False)
# Each event is POSTed to every webhook that selects it: a bound on the fan-out one account can ask for.
WEBHOOKS_PER_USER = env_int("WEBHOOKS_PER_USER", 20, minimum=1)
# Publishing a task happens on the request path (on commit), so it gives up quickly with the broker
# unreachable or hung: one attempt, each socket operation bounded by CELERY_BROKER_TIMEOUT_SECONDS. The
# outbox row stays pending and the sweep enqueues it again (licensing.outbox). Beat's publish of the
# sweep is a single attempt too (a missed run is harmless); a worker reconnects as Celery always does.
_broker_timeout = env_int("CELERY_BROKER_TIMEOUT_SECONDS", 1, minimum=1)
CELERY_BROKER_CONNECTION_TIMEOUT = _broker_timeout
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": _broker_timeout,
    "socket_timeout": _broker_timeout,
    # Opening the channel a publish uses: one connection attempt, not kombu's retry loop.
    "max_retries": 0,
}
CELERY_TASK_PUBLISH_RETRY = False
# Links in emails point at the public site: SITE_URL is its address as readers reach it.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
_site_scheme, _sep, _site_rest = SITE_URL.partition("://")
if (
    _site_scheme not in ("http", "https")
    or not _site_rest.split("/", 1)[0]
    or any(character in SITE_URL for character in "?# ")
):
    raise ImproperlyConfigured(
        f"SITE_URL must be an http(s) address such as https://registry.example.org, got {SITE_URL!r}."
    )

# Cache: Redis when configured (shared by every process: throttling counts there), else files under var/.
# Short timeouts, and callers fail open: with Redis down the site answers, uncached and unthrottled.
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's, with one Redis client per pool rather than one per call (registry.rediscache).
            "BACKEND": "registry.rediscache.SharedClientRedisCache",
            "LOCATION": env_str("CACHE_URL", REDIS_URL),
            "KEY_PREFIX": "registry",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    # Without Redis, files under var/cache/, so that every local process (the server, `manage.py sweep`,
    # `generate_licenses`) sees the others' changes (registry.filecache). Tests keep a cache of their own.
    CACHES = {
        "default": {
            "BACKEND": "registry.filecache.SharedFileCache",
            "LOCATION": env_str("CACHE_DIR", str(BASE_DIR / "var" / "cache")),
            "KEY_PREFIX": "registry",
            "OPTIONS": {"MAX_ENTRIES": 10_000},
        }
    }

# The API (Django REST framework). Reads are public and throttled for anonymous clients; writes need a
# regulator's token or session. Errors always have the shape {"detail", "code", "errors"}.
API_THROTTLE = env_bool("API_THROTTLE", True)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "licensing.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["licensing.api.permissions.ReadPublicWriteRegulator"],
    "DEFAULT_THROTTLE_CLASSES": [
        "licensing.api.throttling.AnonymousReadThrottle",
        "licensing.api.throttling.AuthenticatedThrottle",
    ]
    if API_THROTTLE
    else [],
    "DEFAULT_THROTTLE_RATES": {"anon": env_str("API_ANON_RATE", "120/minute")},
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "licensing.api.pagination.Pages",
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "licensing.api.errors.exception_handler",
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
}
# Signed-in API clients (tokens, sessions), per user; and anonymous searches of the public pages, per
# address (licensing.api.throttling). Both off with API_THROTTLE=false.
API_USER_RATE = env_str("API_USER_RATE", "600/minute")
HTML_SEARCH_RATE = env_str("HTML_SEARCH_RATE", "30/minute") if API_THROTTLE else None
for _name, _rate in (
    ("API_ANON_RATE", REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["anon"]),
    ("API_USER_RATE", API_USER_RATE),
    ("HTML_SEARCH_RATE", HTML_SEARCH_RATE or "1/minute"),
):
    if not re.fullmatch(r"[1-9][0-9]*/(s|sec|second|m|min|minute|h|hour|d|day)", _rate):
        raise ImproperlyConfigured(f"{_name} must be a rate such as 120/minute, got {_rate!r}.")
# API tokens (licensing.tokens): stored as a digest, shown once, valid this many days unless asked otherwise.
API_TOKEN_DAYS = env_int("API_TOKEN_DAYS", 90, minimum=1)
# The title and description follow the reader's language (the docs page and the schema it loads).
SPECTACULAR_SETTINGS = {
    "TITLE": _("Public-Data Operating License Registry API"),
    "DESCRIPTION": _(
        "Who may operate which public data, for how long: licenses with their lifecycle, operators, "
        "authorities, verification and a change feed. Reads are public; writes need a regulator's token."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "licensing.api.schema_hooks.public_reads_need_no_credentials",
    ],
    "ENUM_NAME_OVERRIDES": {
        "LicenseStatusEnum": "licensing.choices.LicenseStatus",
        "DataDomainEnum": "licensing.choices.DataDomain",
        "LicenseActionEnum": "licensing.choices.LicenseAction",
        "EventActionEnum": "licensing.choices.EventAction",
        "AuthorityKindEnum": "licensing.choices.AuthorityKind",
        "OperatorKindEnum": "licensing.choices.OperatorKind",
        "LicensePartyEnum": "licensing.choices.LicenseParty",
        "WebhookStateEnum": "licensing.models.webhooks.WebhookState",
        "DeliveryStateEnum": "licensing.models.reminders.OutboxState",
    },
}
# Cross-origin reads of the API are allowed from anywhere; writes are not (no credentials, GET only).
CORS_ALLOW_ALL_ORIGINS = True
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_ALLOW_CREDENTIALS = False

# The licensing domain.
LICENSING_MAX_TERM_YEARS = env_int("LICENSING_MAX_TERM_YEARS", 5, minimum=1)
LICENSING_REMINDER_DAYS = sorted(
    set(env_int_list("LICENSING_REMINDER_DAYS", [90, 30, 7], minimum=1)), reverse=True
)
# Objections to registrations under public notice (licensing.registrations): the evidence file's limit,
# and how many objections one address may file (anonymous spam gets a 429).
REGISTRATION_EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
OBJECTION_RATE = env_str("OBJECTION_RATE", "5/hour")
# Email alerts (licensing.alerts): sign-ups per client address (a 429 past it), confirmations per email
# address a day (silently: the form never tells an address's state), and how long a confirmation link works.
ALERT_RATE = env_str("ALERT_RATE", "10/hour")
ALERT_CONFIRMATIONS_PER_ADDRESS = env_int("ALERT_CONFIRMATIONS_PER_ADDRESS", 3, minimum=1)
ALERT_CONFIRM_DAYS = env_int("ALERT_CONFIRM_DAYS", 7, minimum=1)

# Security. With debug off the secure defaults hold, so `manage.py check --deploy` is quiet once a real
# mail host is given (EMAIL_HOST); a deployment behind a TLS-terminating proxy sets
# DJANGO_SECURE_PROXY_SSL_HEADER=true.
SECURE = not DEBUG
SESSION_COOKIE_SECURE = env_bool("DJANGO_SESSION_COOKIE_SECURE", SECURE)
CSRF_COOKIE_SECURE = env_bool("DJANGO_CSRF_COOKIE_SECURE", SECURE)
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", SECURE)
# Monitors and load balancers probe /healthz over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 31_536_000 if SECURE else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", SECURE)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", SECURE)
if env_bool("DJANGO_SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (Django's middleware): scripts, styles, images and requests from this site
# only; no inline code except by the per-response nonce (the API docs' page, which is never cached) or
# by hash (the inline style of 500.html, which renders without a request context; tests check the hash).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE, "'sha256-tYJlVfLXwnzvCXsVU3DnextMUdk3CDxCPTfunAcajDc='"],
    # Swagger UI and the admin draw icons from data: URLs in their stylesheets.
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
# Powerful browser features no page of the registry uses (registry.headers).
PERMISSIONS_POLICY = {
    feature: "()"
    for feature in (
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
}
SESSION_COOKIE_HTTPONLY = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "registry.middleware.RequestIdLogFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["request_id"]},
    },
    "root": {
        "handlers": ["console"],
        "level": env_choice("DJANGO_LOG_LEVEL", "INFO", ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]),
    },
    # Django's own console handler would print each of its lines a second time.
    "loggers": {
        "django": {"handlers": ["console"], "propagate": False},
        # django-axes announces itself at every start; lockouts are warnings and still show.
        "axes": {"level": "WARNING"},
    },
}
if CELERY_TASK_ALWAYS_EAGER:
    # Tasks run in the calling process: a line per task that succeeded would only repeat what the command
    # says (the console mailer's line per email, the sweep's summary). Failures still show.
    LOGGING["loggers"]["celery.app.trace"] = {"level": "WARNING"}
