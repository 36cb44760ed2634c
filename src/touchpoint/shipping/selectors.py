"""What shipping reads: the case a scanned code names, and what the scan station can record for it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from touchpoint.cases.models import Case, TimelineEntry, TimelineKind
from touchpoint.core.ids import ALPHABET, REFERENCE_LENGTH, normalise_reference
from touchpoint.journeys import Journey
from touchpoint.journeys.carrier import carrier_holding
from touchpoint.journeys.graph import reachable, successors
from touchpoint.shipping.carriers.base import STATUS_WORDS
from touchpoint.shipping.models import Leg, Provider, Shipment, VoidStatus

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

# Every move that sends a parcel out, by leg: the scan station's dispatches and order-problem's
# packing scan (left out of the station's table above, but its parcel is just as much ours).
OUTBOUND_EVENTS: dict[str, Leg] = {**DISPATCH_EVENTS, "packed": Leg.RETURN}

_REFERENCE = re.compile(rf"^TP-[{ALPHABET}]{{{REFERENCE_LENGTH}}}$")
SCAN_KEY_PREFIX = "scan"


def scan_events(action: Action) -> tuple[str, ...]:
    return ARRIVAL_EVENTS if action == "arrived" else tuple(DISPATCH_EVENTS)


def scan_event_for(*, journey: Journey, state: str, action: Action) -> str | None:
    """The event that records ``action`` for a case in ``state``, or None when the state has none."""
    allowed = journey.events_from(state)
    return next((event for event in scan_events(action) if event in allowed), None)


def carrier_leg(*, journey: Journey, state: str) -> Leg | None:
    """The leg whose parcel the carrier's scans speak for while a case is in ``state``: that of the
    carrier-owned state holding it (``journeys.carrier.carrier_holding``: the state itself, the one a
    traced parcel was lost from, or the one a parcel about to be handed over leads to), found by the
    move out that leads there; a carrier-owned state no such move leads to holds the parcel coming to
    us. None when the carrier holds no parcel of the case there: its parcels' events move nothing."""
    held = carrier_holding(journey, state)
    if held is None:
        return None
    for transition in journey.transitions:
        if transition.to == held and transition.on in OUTBOUND_EVENTS:
            return OUTBOUND_EVENTS[transition.on]
    return Leg.INBOUND


def parcel_possible(*, journey: Journey, state: str) -> bool:
    """Whether a case in ``state`` may have sent a parcel: some move out (``OUTBOUND_EVENTS``) leads,
    directly or later, to ``state``. Before any can have happened (awaiting payment, the kit still to
    pack) the parcels panels ask the database nothing."""
    starts = [t.to for t in journey.transitions if t.on in OUTBOUND_EVENTS]
    return state in reachable(successors(journey), starts)


def shipment_by_tracking(tracking_number: str) -> Shipment | None:
    """The newest parcel with ``tracking_number`` (as shipping stores it: no spaces, upper case)."""
    return Shipment.objects.filter(tracking_number=tracking_number).order_by("-created_at", "-id").first()


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


@dataclass(frozen=True)
class Scan:
    """One carrier event as people read it: in the carrier's words, with its time and place."""

    at: datetime
    words: str
    place: str
    status: str
    status_words: str
    code: str  # the provider's own status code (staff see it)
    provider: str


@dataclass(frozen=True)
class Parcel:
    """A case's parcel with what its carrier said, newest first."""

    leg: str
    carrier: str
    tracking_number: str
    tracking_url: str
    status: str
    status_words: str
    status_at: datetime | None
    expected_by: datetime | None
    delivered_at: datetime | None
    service_level: str
    provider: str
    created_at: datetime
    scans: list[Scan]
    # A label bought for it and set aside (another went on the parcel): voided through the aggregator
    void: LabelVoidLine | None = None


@dataclass(frozen=True)
class LabelVoidLine:
    """What became of a label set aside, as staff read it (``shipping.voids``)."""

    tracking_number: str
    provider: str
    status: str
    status_words: str
    answer: str


def parcels_of(*, case: Case) -> list[Parcel]:
    """The case's parcels that can be followed (a tracking number, or events heard), newest first,
    each with its carrier's events, newest first. One query, whatever the case holds: the parcels
    joined to their events (a parcel with none comes as one row with no event)."""
    fields = [
        "id",
        "leg",
        "carrier",
        "tracking_number",
        "tracking_url",
        "status",
        "status_at",
        "expected_by",
        "delivered_at",
        "service_level",
        "provider",
        "created_at",
    ]
    event_fields = ["occurred_at", "description", "location", "status", "status_code", "provider"]
    void_fields = ["tracking_number", "provider", "status", "answer"]
    rows = (
        Shipment.objects.filter(case=case)
        .order_by("-created_at", "-id", "-events__occurred_at", "-events__id")
        .values(
            *fields, *(f"events__{name}" for name in event_fields), *(f"label_void__{name}" for name in void_fields)
        )
    )
    parcels: dict[int, Parcel] = {}
    for row in rows:
        parcel = parcels.get(row["id"])
        if parcel is None:
            parcel = parcels[row["id"]] = Parcel(
                leg=row["leg"],
                carrier=row["carrier"],
                tracking_number=row["tracking_number"],
                tracking_url=row["tracking_url"],
                status=row["status"],
                status_words=STATUS_WORDS.get(row["status"] or "unknown", row["status"]),
                status_at=row["status_at"],
                expected_by=row["expected_by"],
                delivered_at=row["delivered_at"],
                service_level=row["service_level"],
                provider=Provider(row["provider"]).label if row["provider"] else "",
                created_at=row["created_at"],
                scans=[],
                void=_void_line(row),
            )
        if row["events__occurred_at"] is not None:
            status = row["events__status"]
            parcel.scans.append(
                Scan(
                    at=row["events__occurred_at"],
                    words=row["events__description"] or STATUS_WORDS.get(status, status),
                    place=row["events__location"],
                    status=status,
                    status_words=STATUS_WORDS.get(status, status),
                    code=row["events__status_code"],
                    provider=Provider(row["events__provider"]).label,
                )
            )
    return [parcel for parcel in parcels.values() if parcel.tracking_number or parcel.scans or parcel.void]


def _void_line(row: dict[str, Any]) -> LabelVoidLine | None:
    status = row["label_void__status"]
    if status is None:
        return None
    return LabelVoidLine(
        tracking_number=row["label_void__tracking_number"],
        provider=Provider(row["label_void__provider"]).label,
        status=status,
        status_words=VoidStatus(status).label,
        answer=row["label_void__answer"],
    )


def parcels_shown(*, case: Case, journey: Journey, voids: bool = False) -> list[Parcel]:
    """The parcels worth showing on the case's pages: those the carrier has told us about, the one it
    holds now (its tracking number, before its first scan), and while people trace a parcel (an
    exception state) the newest. A parcel with no scans whose trip is over (the kit the customer said
    arrived) would only say "no news" about a finished journey. ``voids`` (staff): also the labels set
    aside, with what became of their void; never the customer's (a label they never had)."""
    if not parcel_possible(journey=journey, state=case.state):
        return []
    holding = carrier_leg(journey=journey, state=case.state)
    state = journey.states.get(case.state)
    tracing = state is not None and state.exception
    parcels = [parcel for parcel in parcels_of(case=case) if voids or parcel.void is None]
    return [
        parcel
        for index, parcel in enumerate(parcels)
        if parcel.scans or parcel.void or parcel.leg == holding or (tracing and index == 0)
    ]
