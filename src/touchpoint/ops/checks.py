"""Deploy checks of our own, run by ``touchpoint check --deploy`` beside Django's.

The demo's switches are each right on a laptop and each a leak or a silence on a shop served for
real; Django can't know them, so they are checked here:

* touchpoint.E001: ``TOUCHPOINT_DEV_MAILBOX`` shows every captured message, each with a customer's
  link to their case, at /dev/mail to anyone who asks;
* touchpoint.E002: a mail backend that keeps messages in the process (the demo's capture, Django's
  locmem or dummy) means no customer hears from us;
* touchpoint.E003 / E004: ``TOUCHPOINT_PUBLIC_URL`` starts every link in a message; on plain HTTP, on
  this machine's own address, or on a host ``TOUCHPOINT_ALLOWED_HOSTS`` refuses, no link works."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register
from django.http.request import validate_host

NOWHERE_BACKENDS = frozenset(
    {
        "touchpoint.devmail.backend.CaptureBackend",
        "django.core.mail.backends.locmem.EmailBackend",
        "django.core.mail.backends.dummy.EmailBackend",
    }
)
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "0.0.0.0"})  # noqa: S104 - compared, never bound


@register(Tags.security, deploy=True)
def demo_switches_off(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    found: list[CheckMessage] = []
    if settings.TOUCHPOINT_DEV_MAILBOX:
        found.append(
            Error(
                "TOUCHPOINT_DEV_MAILBOX is on: /dev/mail shows every message the shop sends, with each "
                "customer's link to their case, to anyone.",
                hint="Unset TOUCHPOINT_DEV_MAILBOX (it is for the demo only).",
                id="touchpoint.E001",
            )
        )
    backend = settings.MAILERS["default"]["BACKEND"]
    if backend in NOWHERE_BACKENDS:
        found.append(
            Error(
                f"TOUCHPOINT_EMAIL_BACKEND is {backend}: messages stay inside the process, no customer receives one.",
                hint="Unset TOUCHPOINT_EMAIL_BACKEND for SMTP (TOUCHPOINT_SMTP_HOST, …) or name a provider's backend.",
                id="touchpoint.E002",
            )
        )
    found.extend(_public_url())
    return found


def _public_url() -> list[CheckMessage]:
    url = settings.TOUCHPOINT_PUBLIC_URL
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme != "https" or not host or host in LOCAL_HOSTS:
        return [
            Error(
                f"TOUCHPOINT_PUBLIC_URL is {url!r}: every link in a customer's messages starts with it, and "
                "customers can't open a plain-HTTP link to their case safely, nor this machine's own address.",
                hint="Set TOUCHPOINT_PUBLIC_URL to the shop's address, e.g. https://repairs.example.com",
                id="touchpoint.E003",
            )
        ]
    if not validate_host(host, settings.ALLOWED_HOSTS):
        return [
            Error(
                f"TOUCHPOINT_PUBLIC_URL's host {host!r} is not in TOUCHPOINT_ALLOWED_HOSTS: "
                "every link in a customer's messages would be refused (400 Bad Request).",
                hint=f"Add {host} to TOUCHPOINT_ALLOWED_HOSTS, or correct TOUCHPOINT_PUBLIC_URL.",
                id="touchpoint.E004",
            )
        ]
    return []
