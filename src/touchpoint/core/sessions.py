"""Ended sessions, deleted by the worker's housekeeping (Django keeps them until ``clearsessions``)."""

from __future__ import annotations

from contextlib import suppress
from importlib import import_module

from django.conf import settings


def sessions_prune() -> None:
    """Delete the sessions that have ended, as ``manage.py clearsessions`` does. Backends that
    expire by themselves (signed cookies, the cache) have nothing to delete."""
    engine = import_module(settings.SESSION_ENGINE)
    with suppress(NotImplementedError):
        engine.SessionStore.clear_expired()
