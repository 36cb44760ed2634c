"""What shipping reads: the case a scanned code names, and what the scan station can record for it."""

from __future__ import annotations

import re
from typing import Literal

from touchpoint.cases.models import Case, TimelineEntry, TimelineKind
from touchpoint.core.ids import ALPHABET, REFERENCE_LENGTH, normalise_reference
from touchpoint.journeys import Journey
from touchpoint.shipping.models import Leg, Shipment

Action = Literal["arrived", "dispatched"]

# The one table the scan station works from: which journey events mean "a parcel arrived at the
# shop" or "a parcel left the shop", and which leg a dispatch records. The event to fire is the
# one of these the case's journey allows in its current state, so a new journey gets the scan
# station by naming its events here. order-problem's `packed` is left out on purpose: the
# warehouse's packing scan also checks the part against the order, which this station can't do.
ARRIVAL_EVENTS: tuple[str, ...] = (
    "device_arrived",  # mail-in-repair: awaiting_device … device_in_transit, device_lost
    "return_received",  # order-problem: the old item back (awaiting_return … return_lost)
)
DISPATCH_EVENTS: dict[str, Leg] = {
    "box_dispatched": Leg.BOX,  # mail-in-repair box_to_send
    "box_resent": Leg.BOX,  # mail-in-repair box_lost
    "return_shipped": Leg.RETURN,  # mail-in-repair return_to_pack
    "replacement_sent": Leg.RETURN,  # mail-in-repair return_lost (a lead's decision)
    "posted": Leg.RETURN,  # walk-in-warranty uncollected
}

_REFERENCE = re.compile(rf"^TP-[{ALPHABET}]{{{REFERENCE_LENGTH}}}$")
SCAN_KEY_PREFIX = "scan"


def scan_events(action: Action) -> tuple[str, ...]:
    return ARRIVAL_EVENTS if action == "arrived" else tuple(DISPATCH_EVENTS)


def scan_event_for(*, journey: Journey, state: str, action: Action) -> str | None:
    """The event that records ``action`` for a case in ``state``, or None when the state has none."""
    allowed = journey.events_from(state)
    return next((event for event in scan_events(action) if event in allowed), None)


def _tracking(code: str) -> str:
    return "".join(code.split()).upper()


def case_by_code(code: str) -> Case | None:
    """The case a scanned or typed code names: a case reference as people type it (``tp 4k7q9``,
    O for 0, I/L for 1), else a parcel's tracking number (spaces and case ignored). Two queries at most."""
    if not code.strip():
        return None
    related = ("customer", "journey")
    reference = normalise_reference(code)
    if _REFERENCE.match(reference):
        found = Case.objects.select_related(*related).filter(reference=reference).first()
        if found is not None:
            return found
    tracking = _tracking(code)
    if not tracking:
        return None
    shipment = (
        Shipment.objects.select_related(*(f"case__{r}" for r in related))
        .filter(tracking_number__in={tracking, code.strip()})
        .order_by("-created_at", "-id")
        .first()
    )
    return shipment.case if shipment is not None else None


def scan_key(*, case: Case, action: Action) -> str:
    """The idempotency key of a scan: the same code, action and state (``state_seq``) is one scan."""
    return f"{SCAN_KEY_PREFIX}:{case.pk}:{action}:{case.state_seq}"


def last_scan(*, case: Case, action: Action) -> TimelineEntry | None:
    """The case's latest move, when it was a scan of ``action`` (the case hasn't moved since)."""
    entry = (
        TimelineEntry.objects.select_related("actor_user")
        .filter(case=case, kind=TimelineKind.TRANSITION)
        .order_by("-seq")
        .first()
    )
    prefix = f"{SCAN_KEY_PREFIX}:{case.pk}:{action}:"
    if entry is not None and (entry.idempotency_key or "").startswith(prefix):
        return entry
    return None
