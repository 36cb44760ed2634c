"""Rate limits for public forms, counted in the database so every web process shares them.

django-ratelimit needs memcached or Redis for atomic counters; the embedded demo has neither, so
each (key, window) is a row counted with one upsert (:func:`touchpoint.core.sql.rate_window_count`,
atomic on SQLite and PostgreSQL alike).
Old windows are cleared by the worker's housekeeping (:func:`ratelimit_prune`)."""

from __future__ import annotations

import hashlib
import ipaddress
from dataclasses import dataclass
from datetime import timedelta

from django.http import HttpRequest

from touchpoint.core.clients import client_address
from touchpoint.core.clock import now
from touchpoint.core.models import RateWindow
from touchpoint.core.sql import rate_window_count


@dataclass(frozen=True)
class Limit:
    """``count`` requests per ``seconds`` for one key (a client, an email address…)."""

    count: int
    seconds: int


def client_key(request: HttpRequest) -> str:
    """Who is asking: the client's address, behind our proxies too (:func:`client_address`), so
    each client has its own bucket and no client can spend another's. An IPv6 client counts by its
    /64: it is given the whole network and can take a new address in it for every request."""
    address = client_address(request)
    if address is None:
        return "unknown"
    ip = ipaddress.ip_address(address)
    if ip.version == 6:
        return str(ipaddress.ip_network((ip, 64), strict=False))
    return address


def ratelimit_hit(*, scope: str, key: str, limit: Limit) -> bool:
    """Count one request; True when it is within ``limit``, False when it is over (then the caller
    shows a readable "try again in a few minutes" and keeps what was typed)."""
    at = now()
    start = int(at.timestamp()) // limit.seconds * limit.seconds
    digest = hashlib.sha256(f"{scope}:{key}".encode()).hexdigest()[:40]
    count = rate_window_count(key=digest, window_start=start, expires_at=at + timedelta(seconds=limit.seconds))
    return count <= limit.count


def ratelimit_prune() -> int:
    """Delete windows that have ended; returns how many."""
    deleted, _ = RateWindow.objects.filter(expires_at__lt=now()).delete()
    return deleted
