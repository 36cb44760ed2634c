"""Secrets, hosts, passwords, sessions, cookies and the Content-Security-Policy.

Behind TLS (``TOUCHPOINT_HTTPS=1``) every deploy check passes; the embedded demo on
http://127.0.0.1 runs with the same settings minus the HTTPS-only cookies and redirects.
"""

from __future__ import annotations

import os
import secrets

from django.utils.csp import CSP

from touchpoint.settings.base import VAR_DIR
from touchpoint.settings.env import env_bool, env_int, env_list
from touchpoint.settings.payments import PAYMENT_FORM_ACTIONS


def _secret_key() -> str:
    """From the environment, else a random key kept in var/ so sessions survive restarts."""
    if key := os.environ.get("TOUCHPOINT_SECRET_KEY"):
        return key
    path = VAR_DIR / "secret_key"
    if path.exists():
        return path.read_text().strip()
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(64)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("TOUCHPOINT_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("TOUCHPOINT_CSRF_TRUSTED_ORIGINS", [])

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

HTTPS = env_bool("TOUCHPOINT_HTTPS", False)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env_int("TOUCHPOINT_HSTS_SECONDS", 31536000) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
# Preload is a promise to browsers that this domain and every subdomain stay HTTPS-only for good, and
# is slow to undo: the shop opts in (then submits the domain to hstspreload.org), it isn't the default.
SECURE_HSTS_PRELOAD = HTTPS and env_bool("TOUCHPOINT_HSTS_PRELOAD", False)
# Django's deploy check asks for preload (security.W021); without the opt-in that is the shop's choice.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("TOUCHPOINT_BEHIND_PROXY", HTTPS) else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("TOUCHPOINT_SESSION_MAX_AGE", 12 * 3600)  # absolute expiry
CSRF_COOKIE_HTTPONLY = True

# Strict CSP: our own files only, no inline script or style, no framing.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF, *PAYMENT_FORM_ACTIONS],
    "frame-ancestors": [CSP.NONE],
}

DEBUG_PROPAGATE_EXCEPTIONS = False
__all__ = [name for name in dir() if name.isupper() and name != "DEBUG"]
