"""Addresses of a case's console pages, reversed once per process (a URLconf doesn't change while
the process runs) and filled in with each case's reference."""

from __future__ import annotations

from functools import cache

from django.urls import reverse

_PLACEHOLDER = "TP-00000"


@cache
def _pattern(name: str) -> str:
    return reverse(f"console:{name}", args=[_PLACEHOLDER])


def case_url(name: str, reference: str) -> str:
    """``console:<name>`` (``case``, ``case_note``, …) for the case ``reference``."""
    return _pattern(name).replace(_PLACEHOLDER, reference)
