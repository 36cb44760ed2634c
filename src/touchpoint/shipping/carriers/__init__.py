"""The three tracking aggregators shops use (AfterShip, EasyPost, Shippo), framework-free.

Each module gives ``verify(headers, body, secret) -> bool`` by that provider's own signing scheme,
``parse(body) -> list[CarrierUpdate]`` from its published webhook schema (:class:`Malformed` when the
body isn't one), and ``STATUS_MAP``: its status vocabulary in canonical statuses. No Django here:
``shipping.tracking`` stores what they return."""

from __future__ import annotations

from types import ModuleType

from touchpoint.shipping.carriers import aftership, easypost, shippo
from touchpoint.shipping.carriers.base import (
    CANONICAL,
    RANK,
    STATUS_WORDS,
    CarrierUpdate,
    Malformed,
    furthest,
)

PROVIDERS: dict[str, ModuleType] = {"aftership": aftership, "easypost": easypost, "shippo": shippo}

__all__ = ["CANONICAL", "PROVIDERS", "RANK", "STATUS_WORDS", "CarrierUpdate", "Malformed", "furthest"]
