"""What the application is: apps, middleware, templates, static files, time zone."""

from __future__ import annotations

from pathlib import Path

import django_stubs_ext

from touchpoint.settings.env import env_bool, env_str

django_stubs_ext.monkeypatch()  # lets admin classes be written ModelAdmin[Model] for mypy

SRC_DIR = Path(__file__).resolve().parent.parent
PROJECT_DIR = SRC_DIR.parent.parent
VAR_DIR = Path(env_str("TOUCHPOINT_VAR_DIR", str(PROJECT_DIR / "var")))

DEBUG = env_bool("TOUCHPOINT_DEBUG", False)

INSTALLED_APPS = [
    "touchpoint.core.admin_site.AdminConfig",  # Django's admin, its own parameters checked
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "touchpoint.core",
    "touchpoint.staff",
    "touchpoint.customers",
    "touchpoint.catalog",
    "touchpoint.shop",
    "touchpoint.cases",
    "touchpoint.outbox",
    "touchpoint.touchpoints",
    "touchpoint.inbox",
    "touchpoint.api",
    "touchpoint.devmail",
    "touchpoint.ops",
    "touchpoint.worker",
    "touchpoint.demo",
    "touchpoint.links",
    "touchpoint.shipping",
    "touchpoint.payments",
    "touchpoint.demopay",
    "touchpoint.quotes",
    "touchpoint.feedback",
    "touchpoint.remedies",
    "touchpoint.wall",
    "touchpoint.themes",
    "touchpoint.insights",
    "touchpoint.portal",
    "touchpoint.console",
    "django_htmx",
    "axes",
    "django_otp",  # staff two-factor sign-in: a code from an authenticator app, or a recovery code
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "touchpoint.core.middleware.NullCharactersMiddleware",  # %00 in an address: a 400, never a DataError
    "touchpoint.staff.caching.StaffPagesNoStoreMiddleware",  # console and admin: Cache-Control no-store
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "touchpoint.core.bidi.BidiControlsMiddleware",  # customer text can't reorder a page (U+202E &c.)
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified(): this session gave a code
    "django_htmx.middleware.HtmxMiddleware",  # request.htmx, read by the two below
    "touchpoint.staff.sessions.StaffSessionMiddleware",
    "touchpoint.staff.gate.TwoFactorGateMiddleware",  # a session owing a code reaches nothing else
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a lockout into the sign-in page saying until when
]

ROOT_URLCONF = "touchpoint.urls"
WSGI_APPLICATION = "touchpoint.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "touchpoint.console.context.site",
            ],
        },
    }
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env_str("TOUCHPOINT_TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
# Uploaded files (customers' photos): served only through views that check access, never by URL.
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "staff.StaffUser"
LOGIN_URL = "/admin/login/"

# Where the shipped and the shop's own journey files are read from (name@version is stored on each case).
TOUCHPOINT_JOURNEY_DIRS = [SRC_DIR / "journeys" / "library"]
