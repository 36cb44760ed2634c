"""Outgoing messages and the worker that sends them."""

from __future__ import annotations

from touchpoint.settings.env import env_bool, env_int, env_json, env_list, env_str

_BACKEND = env_str("TOUCHPOINT_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
if _BACKEND == "django.core.mail.backends.smtp.EmailBackend":
    _OPTIONS: dict[str, object] = {
        "host": env_str("TOUCHPOINT_SMTP_HOST", "127.0.0.1"),
        "port": env_int("TOUCHPOINT_SMTP_PORT", 25),
        "username": env_str("TOUCHPOINT_SMTP_USER", ""),
        "password": env_str("TOUCHPOINT_SMTP_PASSWORD", ""),
        "use_tls": env_bool("TOUCHPOINT_SMTP_STARTTLS", False),
        "use_ssl": env_bool("TOUCHPOINT_SMTP_SSL", False),
        "timeout": env_int("TOUCHPOINT_SMTP_TIMEOUT", 20),  # well inside the worker's lease
    }
elif _BACKEND == "django.core.mail.backends.filebased.EmailBackend":
    _OPTIONS = {"file_path": env_str("TOUCHPOINT_MAIL_DIR", "var/mail")}
else:  # a provider backend (e.g. anymail): its options as JSON
    _OPTIONS = env_json("TOUCHPOINT_EMAIL_OPTIONS", {})
MAILERS = {"default": {"BACKEND": _BACKEND, "OPTIONS": _OPTIONS}}
DEFAULT_FROM_EMAIL = env_str("TOUCHPOINT_FROM_EMAIL", "Norm at the Repair Shop <norm@touchpoint.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
TOUCHPOINT_MAIL_DOMAIN = env_str("TOUCHPOINT_MAIL_DOMAIN", "touchpoint.localhost")

TOUCHPOINT_CHANNELS = {
    "email": "touchpoint.outbox.channels.email.EmailChannel",
    "sms": "touchpoint.outbox.channels.sms.SmsChannel",  # the provider: TOUCHPOINT_SMS_PROVIDER (settings/sms.py)
}
TOUCHPOINT_OUTBOX_MAX_ATTEMPTS = env_int("TOUCHPOINT_OUTBOX_MAX_ATTEMPTS", 6)
TOUCHPOINT_OUTBOX_BACKOFF_BASE = env_int("TOUCHPOINT_OUTBOX_BACKOFF_BASE", 30)  # seconds: 30s, 1m, 2m, 4m…
TOUCHPOINT_OUTBOX_BACKOFF_CAP = env_int("TOUCHPOINT_OUTBOX_BACKOFF_CAP", 3600)
TOUCHPOINT_TIMER_MAX_ATTEMPTS = env_int("TOUCHPOINT_TIMER_MAX_ATTEMPTS", 5)

TOUCHPOINT_WORKER_BATCH = env_int("TOUCHPOINT_WORKER_BATCH", 100)
TOUCHPOINT_WORKER_LEASE_SECONDS = env_int("TOUCHPOINT_WORKER_LEASE_SECONDS", 120)
TOUCHPOINT_WORKER_IDLE_SLEEP = float(env_str("TOUCHPOINT_WORKER_IDLE_SLEEP", "0.5"))
TOUCHPOINT_FALLBACK_TEAM = env_str("TOUCHPOINT_FALLBACK_TEAM", "care")

# Inbound mail and the demo's mailbox.
TOUCHPOINT_REPLY_DOMAIN = env_str("TOUCHPOINT_REPLY_DOMAIN", TOUCHPOINT_MAIL_DOMAIN)  # reply+<token>@this
TOUCHPOINT_INBOUND_WEBHOOK_SECRET = env_str("TOUCHPOINT_INBOUND_WEBHOOK_SECRET", "")  # empty: webhook refused
TOUCHPOINT_DEV_MAILBOX = env_bool("TOUCHPOINT_DEV_MAILBOX", False)  # /dev/mail; never on in production
# The shop's own touch-point templates and personas, searched before the shipped ones.
TOUCHPOINT_TEMPLATE_DIRS = env_list("TOUCHPOINT_TEMPLATE_DIRS", [])

# The shop as customers see it, and the address its links (tracking pages, labels) start with.
TOUCHPOINT_SHOP_NAME = env_str("TOUCHPOINT_SHOP_NAME", "The Repair Shop")
TOUCHPOINT_PUBLIC_URL = env_str("TOUCHPOINT_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
TOUCHPOINT_LINK_DAYS = env_int("TOUCHPOINT_LINK_DAYS", 180)  # how long a customer's link to a case works
