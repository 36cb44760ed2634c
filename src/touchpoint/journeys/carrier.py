"""What a carrier's scan means to a journey: its canonical tracking status, mapped per carrier-owned
state to an event of that state (or to ``stay``: recorded as progress, no move).

A carrier-owned state (``owner: carrier``) says, under ``carrier:``, which event each canonical
status fires there::

    box_in_post:
      owner: carrier
      carrier: { delivered: box_delivered, exception: box_not_delivered }

Progress statuses not listed stay; the end-of-the-road statuses (:data:`REQUIRED_STATUSES`) must be
listed, which the checker enforces (J230-J235). Pure: the webhooks and the poller map a provider's
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


# Statuses that prove the carrier has the parcel in hand (a label made, or nothing known, doesn't).
IN_HAND_EXCLUDED: frozenset[str] = frozenset({"pre_transit", "unknown"})


def _carrier_may(journey: Journey, state: str, event: str) -> bool:
    indexes = journey.index.get((state, event), [])
    return bool(indexes) and all("carrier" in journey.transitions[i].by for i in indexes)


def traced_from(journey: Journey, state: str) -> str | None:
    """The carrier-owned state whose parcel people trace in ``state``: the one whose bad news (an event
    its ``carrier:`` maps a required status to) leads here, e.g. ``box_lost`` ← ``box_in_post``."""
    for name, source in journey.states.items():
        if source.owner_kind != "carrier" or name == state:
            continue
        bad_news = {event for status, event in (source.carrier or {}).items() if status != "delivered"}
        for event in bad_news - {STAY}:
            if any(journey.transitions[i].to == state for i in journey.index.get((name, event), [])):
                return name
    return None


def handed_over(journey: Journey, state: str) -> tuple[str, str] | None:
    """``(event, carrier-owned state)`` when a case in ``state`` (not the carrier's) is waiting for a
    parcel to be handed to the carrier: a move the carrier may make leads from it to a carrier-owned
    state, e.g. ``awaiting_device`` —device_posted→ ``device_in_transit``. The carrier's first scan of
    that parcel is the hand-over."""
    found = journey.states.get(state)
    if found is None or found.owner_kind == "carrier":
        return None
    for event in journey.events_from(state):
        if not _carrier_may(journey, state, event):
            continue
        targets = {journey.transitions[i].to for i in journey.index[(state, event)]}
        held = [t for t in targets if (s := journey.states.get(t)) is not None and s.owner_kind == "carrier"]
        if held:
            return event, held[0]
    return None


def carrier_holding(journey: Journey, state: str) -> str | None:
    """The carrier-owned state whose parcel the carrier's scans speak for while a case is in ``state``:
    the state itself when the carrier owns it, the one people trace a parcel from, or the one a parcel
    handed over leads to. None when no parcel of this case matters to the carrier in ``state``."""
    found = journey.states.get(state)
    if found is None or found.terminal:
        return None
    if found.owner_kind == "carrier":
        return state
    if found.exception and (traced := traced_from(journey, state)) is not None:
        return traced
    handed = handed_over(journey, state)
    return handed[1] if handed is not None else None


def carrier_move(journey: Journey, *, state: str, status: str) -> str | None:
    """The event a carrier's canonical ``status`` for the parcel it holds fires in ``state`` (see
    :func:`carrier_holding`), or None:

    - a carrier-owned state: its ``carrier:`` mapping (:func:`carrier_event`);
    - a state where people trace the parcel: only ``delivered`` moves, by the same event the carrier's
      delivery fires in the state it was lost from, when the carrier may take it from here too (the
      parcel turned up after all; any other news is already being traced);
    - a state waiting for a hand-over: any scan with the parcel in the carrier's hands is the move
      into the carrier's state (the device posted); the caller asks again from there.

    Raises ``ValueError`` for a ``status`` that isn't canonical."""
    event = carrier_event(journey, state=state, status=status)
    found = journey.states.get(state)
    if found is None or found.owner_kind == "carrier" or found.terminal:
        return event
    if found.exception and (traced := traced_from(journey, state)) is not None:
        if status != "delivered":
            return None
        arrived = carrier_event(journey, state=traced, status="delivered")
        return arrived if arrived is not None and _carrier_may(journey, state, arrived) else None
    handed = handed_over(journey, state)
    if handed is not None and status not in IN_HAND_EXCLUDED:
        return handed[0]
    return None
