"""Who is asking: the client's address, the one every rate limit, the sign-in lockout (django-axes)
and the logs key on.

Behind a reverse proxy every request comes from the proxy's address, and the client's own is in
``X-Forwarded-For`` (or RFC 7239's ``Forwarded: for=…``, as ``TOUCHPOINT_PROXY_HEADER`` says), a
header anyone can also write. So the header is read only when the request comes from a proxy named
in ``TOUCHPOINT_TRUSTED_PROXIES``, and then from the right: each proxy
appends the address it was reached from, so the first address from the right that is not one of our
proxies is the client, and whatever the client wrote further left is ignored. The header is parsed
by python-ipware (django-ipware's engine: ports, brackets, IPv6, IPv4-mapped addresses).

Not ipware's ``proxy_trusted_ips``: that checks the addresses written *in the header*, never the
peer the request came from, so a client reaching the app directly could write
``X-Forwarded-For: <anyone>, <our proxy>`` and be believed."""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest
from python_ipware.modern.parsers import IpAddressType, IpNetworkType, parse_ip


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[IpNetworkType, ...]:
    # Entries were checked when the settings were read (settings/security.py), so this can't fail there.
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def _is_proxy(address: IpAddressType, proxies: tuple[IpNetworkType, ...]) -> bool:
    return any(address.version == network.version and address in network for network in proxies)


def client_address(request: HttpRequest) -> str | None:
    """The address of the client that sent ``request``, as text (e.g. ``"203.0.113.7"``); None when
    the server gave no usable peer address (a Unix socket, say).

    The socket peer (``REMOTE_ADDR``) unless that peer is a trusted proxy; then the nearest address
    in ``X-Forwarded-For`` that is not a trusted proxy. A header a trusted proxy passed on but that
    holds no usable address gives the proxy's own address (the proxy is misconfigured, not the
    client)."""
    peer = parse_ip(str(request.META.get("REMOTE_ADDR") or ""))
    if peer is None:
        return None
    proxies = _networks(tuple(settings.TOUCHPOINT_TRUSTED_PROXIES))
    if not _is_proxy(peer, proxies):
        return str(peer)
    # Hop by hop from the right, parsing only as far as the client: a client can send a long header.
    nearest = peer
    if settings.TOUCHPOINT_PROXY_HEADER == "forwarded":
        for value in reversed(_forwarded_for(str(request.META.get("HTTP_FORWARDED") or ""))):
            hop = parse_ip(value) if value else None
            if hop is None:
                # RFC 7239 lets a proxy write "unknown" or a hidden name: nothing to its left can be trusted.
                return str(nearest)
            if not _is_proxy(hop, proxies):
                return str(hop)
            nearest = hop
        return str(nearest)
    for token in reversed(str(request.META.get("HTTP_X_FORWARDED_FOR") or "").split(",")):
        hop = parse_ip(token)
        if hop is None:
            continue  # not an address: left of the client (a proxy writes addresses), so junk it wrote
        if not _is_proxy(hop, proxies):
            return str(hop)
        nearest = hop  # another of our proxies: the client is further left
    return str(nearest)


_FOR = re.compile(r'(?:^|;)\s*for\s*=\s*("(?:[^"\\]|\\.)*"|[^;,\s]*)', re.IGNORECASE)


def _forwarded_for(header: str) -> list[str]:
    """The ``for=`` value of each element of an RFC 7239 ``Forwarded`` header, left to right, quotes,
    brackets and ports removed (``"[2001:db8::1]:4711"`` → ``2001:db8::1``); "" for an element
    without one. Commas inside quoted values are rare enough in ``for=`` (never in an address) that
    the elements are split on every comma."""
    values: list[str] = []
    for element in header.split(","):
        match = _FOR.search(element.strip())
        value = match.group(1).strip('"') if match else ""
        if value.startswith("["):  # an IPv6 address, maybe with a port after the bracket
            value = value[1 : value.find("]")] if "]" in value else ""
        elif value.count(":") == 1:  # an IPv4 address with a port
            value = value.split(":", 1)[0]
        values.append(value)
    return values
