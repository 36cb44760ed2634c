"""What every provider's parser returns, and the canonical statuses' order (framework-free)."""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from touchpoint.journeys.carrier import CANONICAL_STATUSES

CANONICAL = CANONICAL_STATUSES  # the journey core's tuple: one list of statuses

# How far a parcel has got. A shipment's status only moves to a higher rank, or to an equal rank
# that happened later (in_transit → exception → in_transit again), so a late or replayed event never
# moves it back: a delivered parcel stays delivered whatever arrives after.
RANK: dict[str, int] = {
    "unknown": 0,
    "pre_transit": 1,
    "in_transit": 2,
    "exception": 2,
    "out_for_delivery": 3,
    "attempt_failed": 3,
    "available_for_pickup": 4,
    "expired": 5,
    "return_to_sender": 5,
    "delivered": 6,
}

# The canonical status in plain words, for the customer and staff.
STATUS_WORDS: dict[str, str] = {
    "pre_transit": "Label made, waiting for the carrier",
    "in_transit": "On its way",
    "out_for_delivery": "Out for delivery",
    "available_for_pickup": "Waiting to be collected",
    "delivered": "Delivered",
    "attempt_failed": "Delivery attempted, no one in",
    "exception": "A problem on the way",
    "return_to_sender": "Going back to the sender",
    "expired": "The carrier stopped tracking it",
    "unknown": "No news from the carrier yet",
}

MAX_DEPTH = 32  # the providers' events nest five or six levels deep
MAX_WORDS = 500  # a carrier's message longer than this is cut: it is shown, not parsed


class Malformed(ValueError):
    """The body isn't the provider's webhook: the message says what is wrong (answered 400)."""


@dataclass(frozen=True)
class CarrierUpdate:
    """One carrier event about one parcel, in canonical terms and in the carrier's own words."""

    tracking_number: str
    carrier: str
    status: str  # canonical
    status_code: str  # the provider's own code, e.g. "InTransit_007" or "TRANSIT/out_for_delivery"
    description: str  # the carrier's words
    location: str
    occurred_at: datetime
    event_id: str  # the provider's id for this event, or a digest of what makes it this event
    tracking_url: str = ""
    expected_by: datetime | None = None
    service_level: str = ""
    raw: dict[str, Any] = field(default_factory=dict, compare=False)


def furthest(current: str, current_at: datetime | None, new: str, new_at: datetime) -> bool:
    """True when ``new`` (at ``new_at``) takes the place of the shipment's ``current`` status."""
    if not current:
        return True
    if RANK[new] != RANK[current]:
        return RANK[new] > RANK[current]
    return current_at is None or new_at >= current_at


def _finite(number: str) -> float:
    value = float(number)
    if not math.isfinite(value):
        raise Malformed(f"the body has a number JSON can't hold: {number[:20]}")
    return value


def _no_constant(name: str) -> Any:
    raise Malformed(f"the body has {name}, which isn't JSON")


def _scrubbed(node: Any) -> Any:
    """The payload as it can be stored (PostgreSQL's jsonb holds no NUL character)."""
    if isinstance(node, str):
        return node.replace("\x00", "")
    if isinstance(node, list):
        return [_scrubbed(item) for item in node]
    if isinstance(node, dict):
        return {str(key).replace("\x00", ""): _scrubbed(value) for key, value in node.items()}
    return node


def load_json(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body, parse_float=_finite, parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        if isinstance(exc, Malformed):
            raise
        raise Malformed("the body is not JSON: send the provider's webhook as it was signed") from None
    if not isinstance(data, dict):
        raise Malformed("the body is JSON but not an object: send the provider's webhook event")
    if _depth(data) > MAX_DEPTH:
        raise Malformed(f"the body nests deeper than {MAX_DEPTH} levels: no provider's event does")
    scrubbed: dict[str, Any] = _scrubbed(data)
    return scrubbed


def _depth(data: Any) -> int:
    """How deeply ``data`` nests, worked out without recursion."""
    deepest, stack = 0, [(data, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        if depth > MAX_DEPTH:
            break
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
        stack.extend((child, depth + 1) for child in children)
    return deepest


def obj(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise Malformed(f"{where} must be an object")
    return value


def text(value: Any, where: str, *, required: bool = False, limit: int = 200) -> str:
    if value is None:
        if required:
            raise Malformed(f"{where} is missing")
        return ""
    if not isinstance(value, str):
        raise Malformed(f"{where} must be a string")
    words = value.replace("\x00", "").strip()
    if required and not words:
        raise Malformed(f"{where} is empty")
    return words[:limit]


def items(value: Any, where: str) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise Malformed(f"{where} must be a list")
    return [obj(item, f"each of {where}") for item in value]


def maybe_moment(value: Any, where: str) -> datetime | None:
    """An ISO 8601 time, or None when absent; one without an offset is read as UTC."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise Malformed(f"{where} must be an ISO 8601 time")
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise Malformed(f"{where} is not an ISO 8601 time: {value[:40]!r}") from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def moment(value: Any, where: str) -> datetime:
    found = maybe_moment(value, where)
    if found is None:
        raise Malformed(f"{where} is missing")
    return found


def tracking(value: Any, where: str) -> str:
    """A tracking number as shipping stores it: no spaces, upper case."""
    if isinstance(value, int) and not isinstance(value, bool):  # some carriers' numbers are all digits
        value = str(value)
    number = "".join(text(value, where, required=True, limit=60).split()).upper()
    if not number:
        raise Malformed(f"{where} is empty")
    return number


def digest(*parts: str) -> str:
    """A stable id for an event its provider gives none: the same checkpoint always digests the same."""
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:40]


def place(*parts: str) -> str:
    return ", ".join(part for part in parts if part)[:200]
