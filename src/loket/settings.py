"""Loket's only settings module: everything an operator may change comes from the environment.

See docs/configuration.md for every variable with its default.
"""

import email.utils
import importlib.resources
import importlib.util
import ipaddress
import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from loket.ops.proxy import parse_trusted_proxies


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


PACKAGE_DIR = Path(__file__).resolve().parent


def package_folder(name: str) -> Path:
    """The folder of an installed package, found without importing it."""
    spec = importlib.util.find_spec(name)
    if spec is None or spec.origin is None:
        raise ImproperlyConfigured(f"the {name} package is not installed: run `make install`")
    return Path(spec.origin).parent


# django-ninja's templates and static files (the API's Swagger UI page). Ninja is not an
# installed app: Django would then import it, with pydantic and its whole API layer, at every
# start (a quarter of a second of each `loket` command, issue 13), though only the URLconf
# needs it. Its two folders are listed with Loket's own instead, and loket.api.docs renders
# the page from them.
NINJA_DIR = package_folder("ninja")
VAR_DIR = Path(os.environ.get("LOKET_VAR_DIR", "var")).resolve()
try:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
except OSError as error:
    # One sentence naming the variable, not a traceback from deep inside Django (issue 14).
    raise ImproperlyConfigured(
        f"LOKET_VAR_DIR={VAR_DIR} cannot be created ({error.strerror}): point LOKET_VAR_DIR at "
        "a directory Loket may write"
    ) from None


def read_or_create_secret_key(path: Path) -> str:
    """The demo must start with no configuration, so it keeps a generated key under var/."""
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_urlsafe(50)
    path.write_text(key)
    path.chmod(0o600)
    return key


DEBUG = env_bool("LOKET_DEBUG")
SECRET_KEY = os.environ.get("SECRET_KEY") or read_or_create_secret_key(VAR_DIR / "secret_key")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
LOKET_BASE_URL = os.environ.get("LOKET_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks_db",
    "loket.policy",
    "loket.tickets",
    "loket.sla",
    "loket.notify",
    "loket.directory",
    "loket.inbound",
    "loket.mail",
    "loket.whatsapp",
    "loket.intake",
    "loket.portal",
    "loket.console",
    "loket.api",
    "loket.ops",
]

MIDDLEWARE = [
    # First, so everything after it sees the client's address rather than the proxy's.
    "loket.ops.middleware.ClientAddressMiddleware",
    # Outermost but one: every response gets X-Request-ID and an access-log line, a 500 included.
    "loket.ops.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Ticket pages, files and the admin are never kept by the browser or a proxy.
    "loket.ops.middleware.PrivatePagesMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "loket.language.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "loket.logins.SessionLifetimeMiddleware",
    # After the language is chosen: the lockout page is in the reader's language.
    "loket.logins.LockoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "loket.urls"
WSGI_APPLICATION = "loket.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates", NINJA_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "loket.console.context.review_links",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# SQLite is the embedded default: WAL lets readers run beside the one writer, the busy timeout
# makes writers queue instead of failing, and IMMEDIATE transactions take the write lock up
# front so two writers never deadlock upgrading a read lock.
DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'loket.sqlite3'}"
_database = dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)
if _database["ENGINE"] == "django.db.backends.sqlite3":
    _database["CONN_MAX_AGE"] = 0
    _database["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # Tests start worker subprocesses, which cannot see an in-memory database.
    _database["TEST"] = {"NAME": str(VAR_DIR / "test-loket.sqlite3")}
DATABASES = {"default": _database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Background work ------------------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

# --- Internationalisation -------------------------------------------------------------------
LANGUAGES = [("ja", "日本語"), ("id", "Bahasa Indonesia"), ("en", "English")]
LANGUAGE_CODE = os.environ.get("LOKET_DEFAULT_LANGUAGE", "id")
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
# Stored in UTC (USE_TZ); TIME_ZONE is only the zone times are shown in: WIB for Catalo.id.
TIME_ZONE = os.environ.get("LOKET_DISPLAY_TIME_ZONE", "Asia/Jakarta")

# --- Static and uploaded files --------------------------------------------------------------
# `collectstatic` (run by `loket serve`, `loket demo` and `make install`) copies the files here
# with their content's hash in the name, so WhiteNoise serves them with a far-future,
# immutable Cache-Control; pages refer to the hashed names through the manifest.
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("LOKET_STATIC_ROOT") or VAR_DIR / "static").resolve()
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Ninja's: the API docs page loads Swagger UI from Loket, with no inline script (which the CSP
# refuses) and no third-party CDN.
STATICFILES_DIRS = [PACKAGE_DIR / "static", NINJA_DIR / "static"]
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(VAR_DIR / "attachments")},
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# With DEBUG on, pages use the plain names and WhiteNoise finds them in the source tree.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

LOKET_ATTACHMENT_MAX_BYTES = int(os.environ.get("LOKET_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024))
LOKET_ATTACHMENT_MAX_COUNT = int(os.environ.get("LOKET_ATTACHMENT_MAX_COUNT", 5))
# Quotas on what requesters upload (issue 14; docs/security.md). 0 turns one off. A form over
# a quota is refused with what was typed kept; an e-mail or WhatsApp message is kept with a
# note naming the files left out.
LOKET_ATTACHMENTS_PER_TICKET = int(os.environ.get("LOKET_ATTACHMENTS_PER_TICKET", 30))
LOKET_ATTACHMENT_BYTES_PER_TICKET = int(
    os.environ.get("LOKET_ATTACHMENT_BYTES_PER_TICKET", 100 * 1024 * 1024)
)
# Per client address (form, portal) or sender (e-mail address, WhatsApp number), an hour;
# counted in Django's cache like the rate limits.
LOKET_UPLOAD_BYTES_PER_CLIENT_PER_HOUR = int(
    os.environ.get("LOKET_UPLOAD_BYTES_PER_CLIENT_PER_HOUR", 100 * 1024 * 1024)
)
# ClamAV's daemon: a unix socket's path (/run/clamav/clamd.ctl) or host:port. Set, every new
# file waits in quarantine until the worker has had it scanned (docs/operations.md); unset,
# files are not scanned and are served at once. Web processes and workers both need it.
LOKET_CLAMD_SOCKET = os.environ.get("LOKET_CLAMD_SOCKET", "").strip()
LOKET_CLAMD_TIMEOUT_SECONDS = float(os.environ.get("LOKET_CLAMD_TIMEOUT_SECONDS", 60))
# A request may carry every attachment plus the form fields.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# --- E-mail ---------------------------------------------------------------------------------
# LOKET_MAIL: "smtp" (production), "file" (the demo: one file per message under var/mail/) or
# "console". Django 6.1's MAILERS replaces the old EMAIL_* settings.
LOKET_MAIL = os.environ.get("LOKET_MAIL", "smtp")
_MAIL_BACKENDS = {
    "smtp": (
        "django.core.mail.backends.smtp.EmailBackend",
        {
            "host": os.environ.get("EMAIL_HOST", "localhost"),
            "port": int(os.environ.get("EMAIL_PORT", 25)),
            "username": os.environ.get("EMAIL_HOST_USER") or None,
            "password": os.environ.get("EMAIL_HOST_PASSWORD") or None,
            "use_tls": env_bool("EMAIL_USE_TLS"),
            "use_ssl": env_bool("EMAIL_USE_SSL"),
            "timeout": int(os.environ.get("EMAIL_TIMEOUT", 30)),
        },
    ),
    "file": (
        "django.core.mail.backends.filebased.EmailBackend",
        {"file_path": str(VAR_DIR / "mail")},
    ),
    "console": ("django.core.mail.backends.console.EmailBackend", {}),
}
_mail_backend, _mail_options = _MAIL_BACKENDS[LOKET_MAIL]
MAILERS = {"default": {"BACKEND": _mail_backend, "OPTIONS": _mail_options}}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", '"Catalo.id Support" <support@catalo.id>')
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Loket ----------------------------------------------------------------------------------
LOKET_REFERENCE_PREFIX = os.environ.get("LOKET_REFERENCE_PREFIX", "CAT")
LOKET_REFERENCE_KEY = os.environ.get("LOKET_REFERENCE_KEY", SECRET_KEY)
# Issue 14: a portal link opens its ticket once (docs/security.md). One in a mail Loket sends on
# its own (acknowledgement, replies, escalation) may be opened within LOKET_PORTAL_MAIL_LINK_HOURS,
# one the requester asked for ("send me a new link") within LOKET_PORTAL_NEW_LINK_MINUTES;
# opening it gives that browser the ticket's pages for LOKET_PORTAL_SESSION_HOURS.
LOKET_PORTAL_MAIL_LINK_HOURS = int(os.environ.get("LOKET_PORTAL_MAIL_LINK_HOURS", 72))
LOKET_PORTAL_NEW_LINK_MINUTES = int(os.environ.get("LOKET_PORTAL_NEW_LINK_MINUTES", 30))
LOKET_PORTAL_SESSION_HOURS = int(os.environ.get("LOKET_PORTAL_SESSION_HOURS", 8))
# The Catalo.id policy ships inside the package (in the source tree a link to
# policies/catalo-id.toml), so an installed wheel finds it as well as a checkout does.
LOKET_POLICY_FILE = os.environ.get("LOKET_POLICY_FILE") or str(
    importlib.resources.files("loket") / "policies" / "catalo-id.toml"
)
# A worker that claimed an e-mail and died holds it this long before another worker retries.
LOKET_OUTBOX_LEASE_SECONDS = int(os.environ.get("LOKET_OUTBOX_LEASE_SECONDS", 300))
LOKET_OUTBOX_MAX_ATTEMPTS = int(os.environ.get("LOKET_OUTBOX_MAX_ATTEMPTS", 8))
# The worker takes the due outbox rows in batches of this many (sent over one SMTP connection,
# recorded in one transaction), and looks for new ones this often when it has found none.
LOKET_OUTBOX_BATCH = int(os.environ.get("LOKET_OUTBOX_BATCH", 25))
LOKET_OUTBOX_POLL_SECONDS = float(os.environ.get("LOKET_OUTBOX_POLL_SECONDS", 0.25))
LOKET_HOUSEKEEPING_SECONDS = float(os.environ.get("LOKET_HOUSEKEEPING_SECONDS", 30))

# --- E-mail in (docs/channels.md) -------------------------------------------------------------
_from_address = email.utils.parseaddr(DEFAULT_FROM_EMAIL)[1] or "support@localhost"
# The support address mail arrives at (`loket mail ingest` without --mailbox).
LOKET_MAIL_ADDRESS = os.environ.get("LOKET_MAIL_ADDRESS", _from_address).strip().lower()
# Our own addresses: mail "from" them is our own echo (a loop), never a requester.
LOKET_MAIL_OWN_ADDRESSES = sorted(
    {LOKET_MAIL_ADDRESS, _from_address.lower()}
    | {
        a.strip().lower()
        for a in os.environ.get("LOKET_MAIL_OWN_ADDRESSES", "").split(",")
        if a.strip()
    }
)
# The right-hand side of our Message-IDs.
LOKET_MESSAGE_ID_DOMAIN = os.environ.get(
    "LOKET_MESSAGE_ID_DOMAIN", _from_address.rsplit("@", 1)[-1] or "loket.invalid"
)
# How often each worker polls the IMAP mailboxes (Mailbox rows in the admin); 0 turns it off.
LOKET_IMAP_POLL_SECONDS = float(os.environ.get("LOKET_IMAP_POLL_SECONDS", 60))
LOKET_MAIL_MAX_BYTES = int(os.environ.get("LOKET_MAIL_MAX_BYTES", 30 * 1024 * 1024))
# E-mail does not say what it is about; until triage decides, tickets get this category.
LOKET_MAIL_DEFAULT_CATEGORY = os.environ.get("LOKET_MAIL_DEFAULT_CATEGORY", "support")

# The billing directory (docs/directory.md): empty means Loket's own tables, imported from CSV;
# a URL means Catalo.id's billing API, asked with this bearer token and timeout (seconds), and
# left alone for LOKET_BILLING_RETRY_SECONDS after it failed (evidence then shows "not checked").
# Issue 14: what one client address, and one recipient address, may submit through the contact
# form in an hour before the form answers 429. 0 (the default) turns a limit off, so that load
# tests from one machine (bench/, ../shared/bench/compare.sh) measure intake, not refusals;
# docs/deployment.md gives the values to set in production (20 and 10).
LOKET_LIMIT_CONTACT_PER_CLIENT = int(os.environ.get("LOKET_LIMIT_CONTACT_PER_CLIENT", 0))
LOKET_LIMIT_CONTACT_PER_RECIPIENT = int(os.environ.get("LOKET_LIMIT_CONTACT_PER_RECIPIENT", 0))

# "Send me a new link": at most this many link mails per ticket an hour (0: no limit).
LOKET_LIMIT_NEW_LINKS_PER_TICKET = int(os.environ.get("LOKET_LIMIT_NEW_LINKS_PER_TICKET", 3))
# Replies through one ticket's portal page an hour (0: no limit): a leaked link cannot flood it.
LOKET_LIMIT_PORTAL_REPLIES_PER_TICKET = int(
    os.environ.get("LOKET_LIMIT_PORTAL_REPLIES_PER_TICKET", 30)
)

LOKET_BILLING_URL = os.environ.get("LOKET_BILLING_URL", "")

# --- WhatsApp Business Cloud API (docs/whatsapp.md) ---------------------------------------------
# Secrets come from the environment only (never the policy file or the database). The channel
# is "not configured" on the public page, and its webhook answers 404, until all four are set.
LOKET_WHATSAPP_PHONE_NUMBER_ID = os.environ.get("LOKET_WHATSAPP_PHONE_NUMBER_ID", "").strip()
LOKET_WHATSAPP_ACCESS_TOKEN = os.environ.get("LOKET_WHATSAPP_ACCESS_TOKEN", "").strip()
LOKET_WHATSAPP_APP_SECRET = os.environ.get("LOKET_WHATSAPP_APP_SECRET", "").strip()
LOKET_WHATSAPP_VERIFY_TOKEN = os.environ.get("LOKET_WHATSAPP_VERIFY_TOKEN", "").strip()
# The Graph API (tests point it at a fake on loopback) and how long one call may take.
LOKET_WHATSAPP_GRAPH_URL = os.environ.get(
    "LOKET_WHATSAPP_GRAPH_URL", "https://graph.facebook.com/v23.0"
).rstrip("/")
LOKET_WHATSAPP_TIMEOUT = float(os.environ.get("LOKET_WHATSAPP_TIMEOUT", 10))
# Media larger than this is not fetched; the ticket says what was sent and how large it was.
LOKET_WHATSAPP_MEDIA_MAX_BYTES = int(
    os.environ.get("LOKET_WHATSAPP_MEDIA_MAX_BYTES", LOKET_ATTACHMENT_MAX_BYTES)
)
# Numbers written without a country code (Indonesian 0812...) belong to this region.
LOKET_PHONE_REGION = os.environ.get("LOKET_PHONE_REGION", "ID")
# S11/S13 ownership verification: how long a mailed one-time link works, how many links one
# ticket may send an hour, and how many wrong links one client address may try an hour.
LOKET_VERIFICATION_HOURS = float(os.environ.get("LOKET_VERIFICATION_HOURS", 24))
LOKET_VERIFICATION_LINKS_PER_HOUR = int(os.environ.get("LOKET_VERIFICATION_LINKS_PER_HOUR", 3))
LOKET_VERIFICATION_FAILURES_PER_HOUR = int(
    os.environ.get("LOKET_VERIFICATION_FAILURES_PER_HOUR", 20)
)
LOKET_BILLING_TOKEN = os.environ.get("LOKET_BILLING_TOKEN", "")
LOKET_BILLING_TIMEOUT = float(os.environ.get("LOKET_BILLING_TIMEOUT", 2))
LOKET_BILLING_RETRY_SECONDS = float(os.environ.get("LOKET_BILLING_RETRY_SECONDS", 30))
# A sender gets at most this many acknowledgements an hour; further tickets are still opened.
LOKET_ACKNOWLEDGEMENTS_PER_SENDER_PER_HOUR = int(
    os.environ.get("LOKET_ACKNOWLEDGEMENTS_PER_SENDER_PER_HOUR", 5)
)

# Issue 14: failed sign-ins (console and admin) one account, and one client address, may make
# within LOKET_LOGIN_LOCKOUT_SECONDS before it is locked out for that long, the right password
# included (loket/logins.py). 0 turns a limit off.
LOKET_LOGIN_FAILURES_PER_ACCOUNT = int(os.environ.get("LOKET_LOGIN_FAILURES_PER_ACCOUNT", 5))
LOKET_LOGIN_FAILURES_PER_ADDRESS = int(os.environ.get("LOKET_LOGIN_FAILURES_PER_ADDRESS", 20))
LOKET_LOGIN_LOCKOUT_SECONDS = int(os.environ.get("LOKET_LOGIN_LOCKOUT_SECONDS", 900))
AUTHENTICATION_BACKENDS = ["loket.logins.LockoutBackend"]

LOGIN_URL = "/console/login/"
LOGIN_REDIRECT_URL = "/console/"
LOGOUT_REDIRECT_URL = "/console/login/"

SESSION_COOKIE_HTTPONLY = True
# Issue 14: a signed-in session (agents, admins) ends after LOKET_SESSION_IDLE_SECONDS without
# a request, and LOKET_SESSION_MAX_SECONDS after signing in whatever happens
# (loket.logins.SessionLifetimeMiddleware). The cookie lasts as long as the idle limit.
LOKET_SESSION_IDLE_SECONDS = int(os.environ.get("LOKET_SESSION_IDLE_SECONDS", 8 * 3600))
LOKET_SESSION_MAX_SECONDS = int(os.environ.get("LOKET_SESSION_MAX_SECONDS", 24 * 3600))
SESSION_COOKIE_AGE = LOKET_SESSION_IDLE_SECONDS
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = env_bool("LOKET_SECURE_COOKIES")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# --- Behind a reverse proxy (docs/deployment.md) -----------------------------------------------
# Both off by default: a header is believed only when the operator says a proxy sets it, since
# otherwise any client could send it.


def request_meta_key(header: str) -> str:
    return "HTTP_" + header.strip().upper().replace("-", "_") if header.strip() else ""


# The header the TLS-terminating proxy sets to "https" (e.g. X-Forwarded-Proto).
LOKET_PROXY_SSL_HEADER = request_meta_key(os.environ.get("LOKET_PROXY_SSL_HEADER", ""))
if LOKET_PROXY_SSL_HEADER:
    SECURE_PROXY_SSL_HEADER = (LOKET_PROXY_SSL_HEADER, "https")
# The header carrying the client's address (e.g. X-Forwarded-For), and which proxies wrote it:
# how many stand in front of Loket, or their addresses and networks (loket/ops/proxy.py).
LOKET_CLIENT_IP_HEADER = request_meta_key(os.environ.get("LOKET_CLIENT_IP_HEADER", ""))
LOKET_TRUSTED_PROXIES = parse_trusted_proxies(os.environ.get("LOKET_TRUSTED_PROXIES") or "1")
# HTTPS only: what `check --deploy` asks for. Off by default, since the demo is plain HTTP.
SECURE_SSL_REDIRECT = env_bool("LOKET_SSL_REDIRECT")
# Load balancers probe these over plain HTTP, straight to the web server.
SECURE_REDIRECT_EXEMPT = [r"^health/$", r"^ready/$"]
SECURE_HSTS_SECONDS = int(os.environ.get("LOKET_HSTS_SECONDS") or 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("LOKET_HSTS_INCLUDE_SUBDOMAINS")
SECURE_HSTS_PRELOAD = env_bool("LOKET_HSTS_PRELOAD")

# Issue 14: the Content-Security-Policy of every response. Scripts and styles come from Loket's
# own static files only (an inline one needs the request's nonce: {{ csp_nonce }}); no plugins,
# no <base>, no framing, forms post to Loket only. E-mail shown in the console (a sandboxed
# srcdoc frame) inherits it, so remote images and styles in received mail are not fetched.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

# --- Operations (docs/operations.md) ----------------------------------------------------------
# /ready/ fails when no worker has written its heartbeat for this long, or when the oldest SLA
# point that has come due is older than this (the sweep is behind or not running).
LOKET_READY_HEARTBEAT_SECONDS = float(
    os.environ.get("LOKET_READY_HEARTBEAT_SECONDS", max(120, 4 * LOKET_HOUSEKEEPING_SECONDS))
)
LOKET_READY_SWEEP_LAG_SECONDS = float(
    os.environ.get("LOKET_READY_SWEEP_LAG_SECONDS", max(300, 4 * LOKET_HOUSEKEEPING_SECONDS))
)
# /metrics answers a bearer token or a listed address (single addresses or networks, e.g.
# 10.0.0.0/8); with neither set it refuses everyone.
LOKET_METRICS_TOKEN = os.environ.get("LOKET_METRICS_TOKEN", "")
# Parsed here so that a mistyped entry stops the start instead of failing each scrape.
LOKET_METRICS_ALLOWED_IPS = [
    str(ipaddress.ip_network(entry, strict=False))
    for entry in env_list("LOKET_METRICS_ALLOWED_IPS", "")
]

# Every log line names its request id; "json" writes one JSON object a line (log shippers),
# anything else plain text. Django's own errors (a 500's traceback) are logged with DEBUG off.
LOKET_LOG_FORMAT = "json" if os.environ.get("LOKET_LOG_FORMAT", "").lower() == "json" else "plain"
_log_level = os.environ.get("LOKET_LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "loket.ops.logs.RequestIdFilter"}},
    "formatters": {
        "plain": {
            "()": "loket.ops.logs.PlainFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s",
        },
        "json": {"()": "loket.ops.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOKET_LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "loket": {"handlers": ["console"], "level": _log_level, "propagate": False},
        # Replaces Django's default handlers, which print only with DEBUG on.
        "django": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}
