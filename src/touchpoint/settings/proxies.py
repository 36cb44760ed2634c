"""The reverse proxies in front of Touchpoint (nginx, Caddy, a load balancer), so the client's own
address can be read from X-Forwarded-For (touchpoint.core.clients) for rate limits and the sign-in
lockout. Only a request whose socket peer is one of them has the header read; none by default."""

from __future__ import annotations

import ipaddress

from django.core.exceptions import ImproperlyConfigured

from touchpoint.settings.env import env_list


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
