"""Settings for the OST fan site, read from the environment with safe development defaults.

See the README's configuration table for every variable.
"""

import ipaddress
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default):
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set in the environment when DEBUG is off.")
    SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "ostsite.admin.EditorsAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django_filters",
    "ostsite.apps.SignInLimitsConfig",  # django-axes
    "ostsite",  # the project's own management commands (backup, restore)
    "reversion",
    "reversion_compare",
    "import_export",
    "catalog",
    "comments",
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
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a refused sign-in into the "too many attempts" page.
    "axes.middleware.AxesMiddleware",
]

# Content-Security-Policy (django-csp): scripts, styles and everything else only from our own origin, so
# no inline script runs. Uploaded pictures are served from MEDIA_URL on the same origin.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# HTTPS: on by default when DEBUG is off (each can be switched off, e.g. SECURE_SSL_REDIRECT=0 when the
# proxy in front already redirects); off for the plain-HTTP development server.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
# Behind a proxy that terminates TLS: trust its X-Forwarded-Proto header (only if it always sets it).
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Behind proxies: who they are (addresses or networks), or how many there are, so that the reader's address
# is read from X-Forwarded-For (ostsite/client.py). Unset, REMOTE_ADDR is the reader and the header is ignored.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", "")
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
if TRUSTED_PROXIES and TRUSTED_PROXY_COUNT:
    raise ImproperlyConfigured("Set TRUSTED_PROXIES or TRUSTED_PROXY_COUNT, not both.")
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError as _error:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES: {_error}") from None

ROOT_URLCONF = "ostsite.urls"
# Our page, which gives a reader's comment back to send again, instead of Django's bare 403.
CSRF_FAILURE_VIEW = "ostsite.errors.csrf_failure"

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
            ],
        },
    },
]

WSGI_APPLICATION = "ostsite.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Concurrent writers: WAL lets readers go on while one writes, IMMEDIATE takes the write lock at
    # BEGIN (so a read-then-write transaction never fails to upgrade its lock), and the timeout makes
    # a waiting writer queue instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;",
    }

# Two caches: "default" holds pages and the fragments they share, bounded in size; "versions" holds the few
# version numbers every key depends on (ostsite/page_cache.py), never evicted, or every page would go stale.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    # Shared by every app server. Bound its memory in redis.conf (maxmemory with volatile-lru: the versions
    # are stored without expiry, so only pages and fragments are evicted).
    CACHES = {
        alias: {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        for alias in ("default", "versions")
    }
else:
    # One machine, no server to run: diskcache keeps the cache in SQLite files that every worker process
    # shares and that outlive a restart (docs/benchmarks.md compares it with Django's own backends).
    CACHE_DIR = Path(os.environ.get("CACHE_DIR", BASE_DIR / "var" / "cache"))
    CACHES = {
        "default": {
            "BACKEND": "ostsite.cache_backends.DiskCache",
            "LOCATION": str(CACHE_DIR / "pages"),
            "SHARDS": 4,
            # A reader is served the page (rendered) rather than wait longer for a busy shard.
            "DATABASE_TIMEOUT": 0.05,
            "OPTIONS": {"size_limit": int(os.environ.get("CACHE_MAX_MB", "256")) * 2**20},
        },
        "versions": {
            "BACKEND": "ostsite.cache_backends.DiskCache",
            "LOCATION": str(CACHE_DIR / "versions"),
            "SHARDS": 1,
            "DATABASE_TIMEOUT": 1,
            "OPTIONS": {"eviction_policy": "none"},
        },
    }

# Catalogue pages are cached until what they show changes (ostsite/page_cache.py); 0 turns the page cache off.
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", 3600))

# Sign-in attempts are checked by django-axes before the password is: after five failures for one username from
# one address within 15 minutes, sign-in is refused with 429 until the 15 minutes have passed. The failures are
# counted in the database, which every server process sees. A success clears the count.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["ip_address", "username"]]
AXES_RESET_ON_SUCCESS = True
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_CLIENT_IP_CALLABLE = "ostsite.client.client_ip"
AXES_USERNAME_CALLABLE = "ostsite.login_limit.username"
AXES_LOCKOUT_CALLABLE = "ostsite.login_limit.locked_out"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = "Asia/Seoul"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Files browsers ask for at fixed addresses at the site root (/favicon.ico, /apple-touch-icon.png), served by WhiteNoise.
WHITENOISE_ROOT = BASE_DIR / "public"
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

FIXTURE_DIRS = [BASE_DIR / "fixtures"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Images uploaded in the admin are shrunk to fit this box.
IMAGE_MAX_SIZE = (1200, 1200)
# Uploads larger than this are refused before Pillow opens them.
IMAGE_MAX_BYTES = 8 * 1024 * 1024
# Pictures with more pixels than this (all frames of an animation together) are refused before they are
# decoded: a small file can unpack into gigabytes (a decompression bomb). 50 megapixels decode to about 150 MB.
IMAGE_MAX_PIXELS = 50_000_000

# Bulk imports (django-import-export): all or nothing, and files up to this size.
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_BYTES", 5 * 1024 * 1024))

# The name editors' replies to comments are signed with (their address is the editor's, or DEFAULT_FROM_EMAIL).
SITE_NAME = "Idol OST Archive"

# Comments: one accepted per IP address per interval (a load test may relax it; production keeps 15),
# and forms sent back sooner than the minimum or later than the maximum age after being served are refused.
COMMENTS_MIN_INTERVAL_SECONDS = int(os.environ.get("COMMENTS_MIN_INTERVAL_SECONDS", "15"))
COMMENTS_MIN_FORM_AGE_SECONDS = float(os.environ.get("COMMENTS_MIN_FORM_AGE_SECONDS", "2"))
COMMENTS_MAX_FORM_AGE_SECONDS = float(os.environ.get("COMMENTS_MAX_FORM_AGE_SECONDS", 24 * 60 * 60))
# Comment pages, as WordPress's "Break comments into pages": this many threads (top-level comments) a page,
# oldest first, the last page (the newest) shown by default and ?cpage=N for the others.
COMMENTS_PER_PAGE = 50
