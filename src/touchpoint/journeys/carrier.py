"""What a carrier's scan means to a journey: its canonical tracking status, mapped per carrier-owned
state to an event of that state (or to ``stay``: recorded as progress, no move).

A carrier-owned state (``owner: carrier``) says, under ``carrier:``, which event each canonical
status fires there::

    box_in_post:
      owner: carrier
      carrier: { delivered: box_delivered, exception: box_not_delivered }

Progress statuses not listed stay; the end-of-the-road statuses (:data:`REQUIRED_STATUSES`) must be
listed, which the checker enforces (J230-J234). Pure: the webhooks and the poller map a provider's
words to a canonical status, then ask :func:`carrier_event` what that means for the case.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from touchpoint.journeys.model import Journey, State

CANONICAL_STATUSES: tuple[str, ...] = (
    "pre_transit",
    "in_transit",
    "out_for_delivery",
    "available_for_pickup",
    "delivered",
    "attempt_failed",
    "exception",
    "return_to_sender",
    "expired",
    "unknown",
)
STAY = "stay"
# Where the parcel is on its way: left out of a mapping, these stay (recorded, nothing moves).
PROGRESS_STATUSES: tuple[str, ...] = (
    "pre_transit",
    "in_transit",
    "out_for_delivery",
    "available_for_pickup",
    "attempt_failed",
    "unknown",
)
# The end of the parcel's road, arrived or not: every carrier-owned state must say where each goes.
REQUIRED_STATUSES: tuple[str, ...] = ("delivered", "exception", "return_to_sender", "expired")


def carrier_mapping(state: State) -> dict[str, str]:
    """Every canonical status → the event it fires in ``state``, or :data:`STAY`; empty when the
    state isn't the carrier's. Required statuses the journey doesn't map are left out (the checker
    reports them), so nothing is invented for them."""
    if state.owner_kind != "carrier":
        return {}
    written = state.carrier or {}
    out: dict[str, str] = {}
    for status in CANONICAL_STATUSES:
        if status in written:
            out[status] = written[status]
        elif status in PROGRESS_STATUSES:
            out[status] = STAY
    return out


def carrier_event(journey: Journey, *, state: str, status: str) -> str | None:
    """The event a carrier's canonical ``status`` fires in carrier-owned ``state``; None when it
    moves nothing there (progress only: recorded, no transition), or the state isn't the carrier's.

    Raises ``ValueError`` for a ``status`` that isn't canonical: the caller maps a provider's own
    words to one of :data:`CANONICAL_STATUSES` (``unknown`` when it can't tell) first."""
    if status not in CANONICAL_STATUSES:
        raise ValueError(f"`{status}` is not a canonical carrier status; use one of: {', '.join(CANONICAL_STATUSES)}")
    found = journey.states.get(state)
    if found is None:
        return None
    event = carrier_mapping(found).get(status, STAY)
    return None if event == STAY else event
