"""Channels deliver outbox messages. Each is configured in ``TOUCHPOINT_CHANNELS`` by dotted path."""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string

from touchpoint.outbox.channels.base import Channel, PermanentFailure, RecipientOptedOut, Sent, TemporaryFailure

__all__ = ["Channel", "PermanentFailure", "RecipientOptedOut", "Sent", "TemporaryFailure", "channel_for"]


@cache
def _channel_class(path: str) -> type[Channel]:
    cls: type[Channel] = import_string(path)
    return cls


def channel_for(name: str) -> Channel:
    """A fresh channel instance for ``name``; raises PermanentFailure for a channel nobody configured."""
    path = settings.TOUCHPOINT_CHANNELS.get(name)
    if path is None:
        raise PermanentFailure(f"no channel `{name}` is configured (TOUCHPOINT_CHANNELS)")
    return _channel_class(path)()
