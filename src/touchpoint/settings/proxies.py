"""The reverse proxies in front of Touchpoint (nginx, Caddy, a load balancer), so the client's own
address can be read from the header they write (touchpoint.core.clients) for rate limits and the
sign-in lockout. Only a request whose socket peer is one of them has the header read; none by default.
Which header is the proxies' choice: ``X-Forwarded-For`` (the default) or RFC 7239's ``Forwarded``.
One only: a proxy that writes one passes the other on as the client wrote it."""

from __future__ import annotations

import ipaddress

from django.core.exceptions import ImproperlyConfigured

from touchpoint.settings.env import env_list, env_str


def _trusted_proxies() -> list[str]:
    entries = env_list("TOUCHPOINT_TRUSTED_PROXIES", [])
    for entry in entries:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            raise ImproperlyConfigured(
                f"TOUCHPOINT_TRUSTED_PROXIES: {entry!r} is not an IP address or network — list the addresses "
                "of the proxies in front of Touchpoint, separated by commas, e.g. 10.0.0.5,192.168.10.0/24"
            ) from None
    return entries


# Addresses or networks (CIDR), e.g. ["10.0.0.5", "192.168.10.0/24"].
TOUCHPOINT_TRUSTED_PROXIES = _trusted_proxies()


def _forwarded_header() -> str:
    value = env_str("TOUCHPOINT_PROXY_HEADER", "x-forwarded-for").strip().lower()
    if value not in ("x-forwarded-for", "forwarded"):
        raise ImproperlyConfigured(
            f"TOUCHPOINT_PROXY_HEADER: {value!r} is not a header Touchpoint reads — write x-forwarded-for "
            "(nginx, Caddy, most load balancers) or forwarded (RFC 7239), whichever your proxies write"
        )
    return value


# The header the trusted proxies write the client's address in: "x-forwarded-for" or "forwarded".
TOUCHPOINT_PROXY_HEADER = _forwarded_header()
