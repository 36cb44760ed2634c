"""Header lookup and constant-time comparison shared by the providers' schemes (framework-free)."""

from __future__ import annotations

import hmac
from collections.abc import Mapping


def header(headers: Mapping[str, str], name: str) -> str | None:
    """``name``'s value whatever case the sender (or the framework) wrote it in; None when absent."""
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value
    return None


def same(expected: str, given: str) -> bool:
    return hmac.compare_digest(expected.encode(), given.strip().encode("utf-8", "replace"))
