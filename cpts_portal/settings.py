"""Settings for CPTS Portal.

Every deployment knob comes from an environment variable, read through the tiny typed
helpers below, with a default that runs the portal locally without any service:
SQLite under ``var/``, tasks run in-process, emails printed to the console.
The README lists the variables.
"""

import os
import re
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE as CSP_NONE
from csp.constants import SELF as CSP_SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    if not value:
        return default
    try:
        number = float(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number of seconds, not {value!r}.") from None
    if not 0 < number < 3600:
        raise ImproperlyConfigured(f"{name} must be a positive number of seconds, not {value!r}.")
    return number


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-local-development-key-only"  # noqa: S105 - local default, refused above in production

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# Public address of the portal, used to build absolute links in emails.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "cpts_portal.admin.PortalAdminConfig",  # django.contrib.admin, with the portal's site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",
    "csp",
    "axes",
    "dsfr",
    "crispy_forms",
    "django_filters",
    "phonenumber_field",
    # Not "rest_framework": the JSON API needs none of its templates, and its French catalog
    # would replace Django's own messages in every form ("adresse e-mail" for "courriel").
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "crispy_dsfr",
    "cpts_portal",
    "notifications",
    "territories",
    "ami",
    "projects",
    "publication",
]

MIDDLEWARE = [
    "cpts_portal.request_id.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # django-csp's, with the policy built once (cpts_portal/csp.py).
    "cpts_portal.csp.PortalCSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # After host validation (CommonMiddleware), before CSRF: floods without a token count too.
    "cpts_portal.ratelimit.RateLimitMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Cache-Control: private, no-store for signed-in users, private links, personal pages.
    "cpts_portal.cache_control.PrivateNoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "cpts_portal.urls"
WSGI_APPLICATION = "cpts_portal.wsgi.application"

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
                "cpts_portal.context_processors.portal",
                "cpts_portal.context_processors.navigation",
            ],
        },
    },
]

# Django's TemplatesSetting, with the common widgets written in Python (cpts_portal/renderers.py).
FORM_RENDERER = "cpts_portal.renderers.FastWidgetRenderer"
CRISPY_ALLOWED_TEMPLATE_PACKS = ("crispy_dsfr",)
CRISPY_TEMPLATE_PACK = "crispy_dsfr"
CRISPY_FAIL_SILENTLY = not DEBUG

# Database: a DATABASE_URL (postgres://user:pass@host:5432/name) or a local SQLite file.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        # Kept open between requests: opening a PostgreSQL connection costs more than
        # rendering the answer form. Health checks replace a connection the server dropped.
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the dev server, tests and a worker share the file.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis: broker for Celery and shared cache. Unset, tasks run in-process (eager).
REDIS_URL = env_str("REDIS_URL")
# Seconds any Redis call (cache or broker, connecting or waiting for a reply) may take.
# redis-py waits 5 s by default: a hung Redis held an answer's POST 25 s (5 s for the rate
# limiter's counter, 20 s publishing two emails). A local Redis answers in a millisecond;
# when it does not, the rate limiter serves anyway and the outbox keeps the emails, so
# failing fast loses nothing.
REDIS_SOCKET_TIMEOUT = env_float("REDIS_SOCKET_TIMEOUT", 0.5)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {
                "socket_connect_timeout": REDIS_SOCKET_TIMEOUT,
                "socket_timeout": REDIS_SOCKET_TIMEOUT,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Rendered HTML and computed figures kept in each process's memory (blank forms, public
# pages, dashboard rows and counts, answer-page blocks, boards), keyed by the versions of
# what they show; a deployment restarts the processes, so code changes never serve stale
# markup. Django's default of 300 entries was evicted by a few agents' browsing (an answer
# page keeps about six entries); entries are a few to 100 kB: at most ~100 MB per process.
CACHES["fragments"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "fragments",
    "OPTIONS": {"MAX_ENTRIES": env_int("FRAGMENTS_CACHE_ENTRIES", 2000)},
}

CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
# Without a broker, long tasks (PDF zips) run in a thread of the web process rather than
# inside the request that asks for them (cpts_portal/background.py).
BACKGROUND_TASKS_IN_THREADS = env_bool("BACKGROUND_TASKS_IN_THREADS", CELERY_TASK_ALWAYS_EAGER)
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_TASK_DEFAULT_QUEUE", "cpts_portal")
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "Europe/Paris"
# A broker outage must not hold a professional's request: publish fails fast (one
# attempt, bounded sockets), the outbox row stays pending and the periodic sweep sends it
# later (tests/integration/test_failures_redis.py holds the bound). Workers keep their own
# reconnection loop (broker_connection_retry stays on), which waits for a broker that is back.
CELERY_BROKER_CONNECTION_TIMEOUT = REDIS_SOCKET_TIMEOUT
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": REDIS_SOCKET_TIMEOUT,
    "socket_timeout": REDIS_SOCKET_TIMEOUT,
    # One connection attempt before a publish, without kombu's default 2-second sleep.
    "max_retries": 0,
}
CELERY_TASK_PUBLISH_RETRY = False
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 0}
CELERY_BEAT_SCHEDULE = {
    "requeue-pending-emails": {
        "task": "notifications.tasks.requeue_pending_emails",
        "schedule": env_int("OUTBOX_SWEEP_SECONDS", 60),
    },
    # Daily reminders of the CPTS projects (each sent once; a missed day is caught up).
    "send-project-reminders": {
        "task": "projects.tasks.send_project_reminders",
        "schedule": env_int("PROJECT_REMINDERS_SECONDS", 24 * 60 * 60),
    },
    "purge-pdf-batches": {"task": "ami.tasks.purge_pdf_batches", "schedule": 3600},
    # RGPD: personal data of answers closed for PERSONAL_DATA_RETENTION_MONTHS, every night.
    "anonymise-closed-submissions": {
        "task": "ami.tasks.anonymise_closed_submissions",
        "schedule": crontab(hour=3, minute=30),
    },
    # Drafts of answers untouched for DRAFT_RETENTION_DAYS, every night.
    "purge-answer-drafts": {
        "task": "ami.tasks.purge_answer_drafts",
        "schedule": crontab(hour=3, minute=45),
    },
}

# Email. EMAIL_BACKEND: console (default), file (under EMAIL_FILE_PATH), smtp, or a dotted path.
_EMAIL_BACKENDS = {
    "console": "django.core.mail.backends.console.EmailBackend",
    "file": "django.core.mail.backends.filebased.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "locmem": "django.core.mail.backends.locmem.EmailBackend",
}
_email_backend = env_str("EMAIL_BACKEND", "console")
EMAIL_BACKEND = _EMAIL_BACKENDS.get(_email_backend, _email_backend)
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Portail CPTS <ne-pas-repondre@cpts.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# What the outbox's admin shows of an email goes through this (the référents' private links
# are masked from staff; the emails sent keep them).
OUTBOX_ADMIN_MASK = "cpts_portal.log_filters.mask_private_links"
# Outbox: attempts before an email is marked failed, and the first retry delay (doubles).
OUTBOX_MAX_ATTEMPTS = env_int("OUTBOX_MAX_ATTEMPTS", 5)
OUTBOX_RETRY_BASE_SECONDS = env_int("OUTBOX_RETRY_BASE_SECONDS", 60)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "agent_home"
# Invitation and password-reset links (projects/accounts.py): single use, valid 72 hours.
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_LINK_HOURS", 72) * 3600
# Password-reset emails one address receives at most per hour, whoever asks.
PASSWORD_RESET_EMAILS_PER_HOUR = env_int("PASSWORD_RESET_EMAILS_PER_HOUR", 3)
# django-axes first: a locked-out username + address is refused before the password is checked.
AUTHENTICATION_BACKENDS = [
    "cpts_portal.auth_backends.AxesLockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]

LANGUAGE_CODE = "fr-fr"
LANGUAGES = [("fr", _("Français"))]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns at startup otherwise
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
# Uploaded files are served only by permission-checked views, never under a public URL.
MEDIA_URL = "/media/"
# Largest document a project may upload; the reverse proxy should refuse bigger bodies too.
PROJECTS_UPLOAD_MAX_BYTES = env_int("PROJECTS_UPLOAD_MAX_BYTES", 10 * 1024 * 1024)

PHONENUMBER_DEFAULT_REGION = "FR"
PHONENUMBER_DEFAULT_FORMAT = "NATIONAL"

# --- Security: HTTPS, cookies, headers --------------------------------------------------
# Behind a TLS-terminating proxy (docker-compose, ARS infrastructure).
if env_bool("BEHIND_HTTPS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Production defaults follow DEBUG; each can be forced by its variable. The docker health
# check (docker/healthcheck.py) sends X-Forwarded-Proto: https behind the proxy, so it is
# not redirected; a redirect (3xx) would count as healthy anyway.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# Probes call the health endpoint in plain HTTP from inside the network.
SECURE_REDIRECT_EXEMPT = [r"^sante/$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
# Preloading commits the whole registrable domain (sante.fr...) to HTTPS in browsers: a
# decision for its owner, hence off unless asked for. check --deploy's reminder about it
# (security.W021) is silenced only in that case.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = (
    ["security.W021"] if SECURE_HSTS_SECONDS and not SECURE_HSTS_PRELOAD else []
)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"  # private links never leave in a Referer
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True  # no script of ours reads it: forms carry the token
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SAMESITE = "Lax"
# Django's own CSRF page has an inline <style> the CSP would block: ours extends the layout.
CSRF_FAILURE_VIEW = "cpts_portal.views.csrf_failure"

# Content-Security-Policy (django-csp 4): everything from our own origin, no inline script
# or style, no framing. django-dsfr's CSS, fonts, icons and JS are our static files.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [CSP_SELF],
        "script-src": [CSP_SELF],
        "style-src": [CSP_SELF],
        "img-src": [CSP_SELF, "data:"],
        "font-src": [CSP_SELF],
        "connect-src": [CSP_SELF],
        "frame-ancestors": [CSP_NONE],
        "form-action": [CSP_SELF],
        "base-uri": [CSP_SELF],
        "object-src": [CSP_NONE],
    },
}

# --- Abuse protection ------------------------------------------------------------------
# Clients are told apart by IP address; X-Forwarded-For is believed only from this many
# reverse proxies in front of the portal (1 for the docker-compose setup behind its proxy).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

# /sante/ says only ok / degraded / down publicly; per-service status and timings need this
# token (Authorization: Bearer <token>, or ?token=) or a signed-in agent. Empty: agents only.
HEALTH_TOKEN = env_str("HEALTH_TOKEN")

# Rate limits (cpts_portal/ratelimit.py): URL name -> (methods, requests, per seconds).
RATELIMIT_ENABLED = env_bool("RATELIMIT_ENABLED", not DEBUG)
RATELIMIT_CACHE = "default"
RATELIMIT_LOGIN_PER_HOUR = env_int("RATELIMIT_LOGIN_PER_HOUR", 30)
RATELIMIT_RULES = {
    # The public form: each POST (sending, adding a row without JavaScript, correcting).
    "ami:answer": ("POST", env_int("RATELIMIT_ANSWER_PER_HOUR", 20), 3600),
    # Autosave of a draft (every few seconds while typing) and its resume link.
    "ami:draft_save": ("POST", env_int("RATELIMIT_DRAFT_SAVE_PER_HOUR", 600), 3600),
    "ami:draft_resume": ("GET", env_int("RATELIMIT_DRAFT_RESUME_PER_HOUR", 30), 3600),
    # The private links: reading, and correcting the answer.
    "ami:follow": ("GET", env_int("RATELIMIT_FOLLOW_PER_HOUR", 60), 3600),
    "ami:edit": ("GET,POST", env_int("RATELIMIT_EDIT_PER_HOUR", 30), 3600),
    "ami:referent_message": ("POST", env_int("RATELIMIT_MESSAGE_PER_HOUR", 20), 3600),
    # Building a PDF costs CPU and the private link needs no sign-in.
    "ami:referent_pdf": ("GET", env_int("RATELIMIT_PDF_PER_HOUR", 20), 3600),
    # Password spraying (many usernames, few passwords each) escapes django-axes, which
    # counts per username + address: both sign-in pages share one budget per address.
    "login": ("POST", RATELIMIT_LOGIN_PER_HOUR, 3600, "login"),
    "admin:login": ("POST", RATELIMIT_LOGIN_PER_HOUR, 3600, "login"),
    # Asking for a password-reset link (each asks an email), and using one.
    "password_reset": ("POST", env_int("RATELIMIT_PASSWORD_RESET_PER_HOUR", 10), 3600),
    "password_set": ("POST", env_int("RATELIMIT_PASSWORD_RESET_PER_HOUR", 10), 3600),
}


# --- Public output and read API (publication app) -----------------------------------------
def env_region_codes(name: str, default: str) -> list[str]:
    """INSEE region codes, comma-separated (two digits; "*" or empty: every region)."""
    codes = env_list(name, default)
    if codes == ["*"]:
        return []
    for code in codes:
        if not (len(code) == 2 and code.isdigit()):
            raise ImproperlyConfigured(f"{name}: {code!r} is not an INSEE region code.")
    return codes


def env_positive_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit() or int(value) <= 0:
        raise ImproperlyConfigured(f"{name} must be a positive whole number, not {value!r}.")
    return int(value)


# Regions of the public pages and open data (coverage, « ma commune »): "53" is Bretagne.
PUBLIC_REGIONS = env_region_codes("PUBLIC_REGIONS", "53")
# Seconds the open-data files stay cached at most (they are dropped on every change).
OPEN_DATA_CACHE_SECONDS = env_positive_int("OPEN_DATA_CACHE_SECONDS", 3600)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "publication.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["publication.api.permissions.IsPartnerStaff"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.ScopedRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "api": f"{env_positive_int('API_RATE_PER_MINUTE', 120)}/min",
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "API du portail CPTS",
    "DESCRIPTION": (
        "Lecture des projets de CPTS, des territoires et des réponses à l’AMI, pour les "
        "systèmes d’information de l’ARS et de ses partenaires. Jeton : "
        "« Authorization: Bearer <clé> » (créé dans l’administration)."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Staff logins (django-axes): lockout of a username + address pair after AXES_FAILURE_LIMIT
# failures, for AXES_COOLOFF_MINUTES; failures are kept in the database (AccessAttempt,
# visible and removable in the admin; `manage.py axes_reset` unlocks everyone).
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
# The pair, never the username alone: wrong passwords typed from a stranger's address must
# not lock the agent out at their own (tests/security/test_login_spraying.py).
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "cpts_portal.client_ip.client_ip"
AXES_LOCKOUT_TEMPLATE = "axes_lockout.html"
AXES_HTTP_RESPONSE_CODE = 429

# The region a single-region deployment serves (INSEE code, « 53 » for Bretagne): rows
# older than regions are assigned to it on upgrade, and its ARS (territories.RegionIdentity,
# made from the settings below when missing) names pages that belong to no region.
PORTAL_DEFAULT_REGION = env_str("PORTAL_DEFAULT_REGION", "53")
if not re.fullmatch(r"\d{2}", PORTAL_DEFAULT_REGION):
    raise ImproperlyConfigured("PORTAL_DEFAULT_REGION must be a region's two-digit INSEE code.")
# Portal identity, shown in the header, footer and emails.
PORTAL_NAME = env_str("PORTAL_NAME", "Portail CPTS")
PORTAL_OPERATOR = env_str("PORTAL_OPERATOR", "Agence régionale de santé Bretagne")
PORTAL_TAGLINE = env_str(
    "PORTAL_TAGLINE",
    "Communautés professionnelles territoriales de santé — ARS, Assurance Maladie et URPS",
)
# Who processes the personal data and whom to contact (privacy page).
PRIVACY_CONTROLLER = env_str("PRIVACY_CONTROLLER", PORTAL_OPERATOR)
PRIVACY_DPO_CONTACT = env_str("PRIVACY_DPO_CONTACT", "ars-bretagne-dpd@ars.sante.fr")
PERSONAL_DATA_RETENTION_MONTHS = env_int("PERSONAL_DATA_RETENTION_MONTHS", 24)
# The professionals' private links (/suivi/<token>/) stop working this many days after
# they were sent; the ARS sends a new one from the answer's page (the old one then 404s).
PRIVATE_LINK_DAYS = env_int("PRIVATE_LINK_DAYS", 365)
# Acknowledgements one address gets in 24 hours at most, however many answers name it as
# a référent's: anyone may type any address, and the portal must not mail it on and on.
ACKNOWLEDGEMENTS_PER_ADDRESS_PER_DAY = env_int("ACKNOWLEDGEMENTS_PER_ADDRESS_PER_DAY", 3)
if ACKNOWLEDGEMENTS_PER_ADDRESS_PER_DAY < 0:
    raise ImproperlyConfigured("ACKNOWLEDGEMENTS_PER_ADDRESS_PER_DAY must be 0 or more.")
# Drafts of the AMI answer (ami.AnswerDraft): deleted by the nightly task this many days
# after their last save; their resume link works as long. Strictly a whole number >= 1.
DRAFT_RETENTION_DAYS = env_int("DRAFT_RETENTION_DAYS", 30)
if DRAFT_RETENTION_DAYS < 1:
    raise ImproperlyConfigured("DRAFT_RETENTION_DAYS must be 1 or more.")
# Drafts one client address may start in an hour, and resume links one email address gets
# in 24 hours: saving a draft needs no account and anyone may type any address.
DRAFTS_PER_CLIENT_PER_HOUR = env_int("DRAFTS_PER_CLIENT_PER_HOUR", 10)
DRAFT_LINKS_PER_ADDRESS_PER_DAY = env_int("DRAFT_LINKS_PER_ADDRESS_PER_DAY", 3)
if DRAFTS_PER_CLIENT_PER_HOUR < 0 or DRAFT_LINKS_PER_ADDRESS_PER_DAY < 0:
    raise ImproperlyConfigured(
        "DRAFTS_PER_CLIENT_PER_HOUR and DRAFT_LINKS_PER_ADDRESS_PER_DAY must be 0 or more."
    )
# Legal notice (/mentions-legales/): publisher, director of publication and host. Empty
# values are shown as "à compléter".
LEGAL_PUBLISHER = env_str("LEGAL_PUBLISHER", PORTAL_OPERATOR)
LEGAL_PUBLISHER_ADDRESS = env_str("LEGAL_PUBLISHER_ADDRESS")
LEGAL_PUBLISHER_CONTACT = env_str("LEGAL_PUBLISHER_CONTACT")
LEGAL_PUBLICATION_DIRECTOR = env_str("LEGAL_PUBLICATION_DIRECTOR")
LEGAL_HOST_NAME = env_str("LEGAL_HOST_NAME")
LEGAL_HOST_ADDRESS = env_str("LEGAL_HOST_ADDRESS")
LEGAL_HOST_PHONE = env_str("LEGAL_HOST_PHONE")
# Accessibility statement (/accessibilite/): whom people who cannot use a page write to,
# to get the content in another form. Defaults to the data protection officer's address.
ACCESSIBILITY_CONTACT = env_str("ACCESSIBILITY_CONTACT", PRIVACY_DPO_CONTACT)

# Logging. Private links (/suivi/<token>/) are masked in every record that reaches these
# handlers (cpts_portal/log_filters.py): the development server's request lines
# (django.server) and django.request / django.security messages print paths. For gunicorn's
# access log, see cpts_portal/gunicorn_logging.py.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "mask_private_links": {"()": "cpts_portal.log_filters.MaskPrivateLinks"},
        "request_id": {"()": "cpts_portal.request_id.RequestIdFilter"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "cpts_portal.request_id.JsonFormatter"},
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            # LOG_FORMAT=json: one JSON object a line, for a log collector.
            "formatter": "json" if env_str("LOG_FORMAT", "plain") == "json" else "plain",
            "filters": ["request_id", "mask_private_links"],
        },
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["mask_private_links"],
        },
    },
    "loggers": {
        # Django's own configuration gives "django" an unfiltered console handler (DEBUG
        # only) and mail_admins (no ADMINS here): its records go to the root handler instead.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
        # WeasyPrint reports every rendering step at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
