"""How far along a text's delivery is, as its provider reports it (Twilio's statuses): a status
only ever moves a message forward, whoever records it (the worker's send or a receipt), and in
whatever order they arrive."""

from __future__ import annotations

# How far along each status is; a status at or below the one recorded changes nothing.
RANK = {
    "accepted": 1,
    "scheduled": 1,
    "queued": 2,
    "sending": 3,
    "sent": 4,
    "delivered": 5,
    "undelivered": 5,
    "failed": 5,
    "canceled": 5,
    "read": 6,
}
UNDELIVERABLE = frozenset({"undelivered", "failed"})


def statuses_at_or_past(status: str) -> list[str]:
    """The statuses a message may already hold that ``status`` must not overwrite (itself included)."""
    rank = RANK.get(status, 0)
    return sorted(name for name, other in RANK.items() if other >= rank)
