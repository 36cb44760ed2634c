"""What a carrier's event does: kept in the parcel's history, the parcel's status moved forward, and
the case moved by its journey when the carrier holds the parcel in the case's current state.

Called by the carriers' webhooks (``api/carrier_hooks.py``) with what ``shipping.carriers`` parsed."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import Literal

from django.db import IntegrityError, transaction

from touchpoint.cases.actors import CARRIER
from touchpoint.cases.errors import TransitionRefused
from touchpoint.cases.journeys import journey_of
from touchpoint.cases.models import Case
from touchpoint.cases.services.handoffs import case_accept_handoff
from touchpoint.core.clock import now
from touchpoint.flows.advance import case_advance
from touchpoint.journeys.carrier import carrier_move, handed_over
from touchpoint.shipping.carriers.base import CarrierUpdate, digest, furthest
from touchpoint.shipping.models import Shipment, TrackingEvent
from touchpoint.shipping.selectors import carrier_leg, shipment_by_tracking
from touchpoint.shipping.watchdog import watchdog_hears

log = logging.getLogger(__name__)

Outcome = Literal["recorded", "duplicate", "unknown_parcel"]
# Statuses that prove the carrier has the parcel in hand: its first such scan accepts the handoff.
NOT_A_SCAN = frozenset({"pre_transit", "unknown"})
KEY_LENGTH = TrackingEvent._meta.get_field("dedupe_key").max_length or 160


@dataclass(frozen=True)
class Applied:
    """What one carrier event did: kept or not, and the case's move when it made one."""

    outcome: Outcome
    tracking_number: str
    status: str
    event_id: str
    case: str = ""  # the case's reference, when the parcel is one of ours
    moved_by: str = ""  # the journey event it fired, when it moved the case
    accepted: bool = False  # the carrier's first scan accepted the handoff
    refused: str = ""  # why the journey refused the move it mapped (the event is still kept)


def dedupe_key(*, provider: str, update: CarrierUpdate) -> str:
    """``<provider>:<tracking number>:<event id>``: the parcel is part of the key, so an id a provider
    reuses for another parcel's event (or a test's) never hides that event. A digest when too long."""
    key = f"{provider}:{update.tracking_number}:{update.event_id}"
    return key if len(key) <= KEY_LENGTH else f"{provider}:{digest(update.tracking_number, update.event_id)}"


def tracking_update_apply(*, provider: str, update: CarrierUpdate) -> Applied:
    """Keep ``update`` (from ``provider``) in its parcel's history and act on it, once.

    Opens its own transaction: the tracking event row, the shipment's status and the case's move
    (``case_accept_handoff``, ``case_advance`` as the carrier, keyed by the provider's event id)
    commit together or not at all. The shipment's status only moves forward (``furthest``), and the
    case only moves when this event moved the parcel's status, by what its journey maps that status
    to in the case's current state (``carrier_move``: a carrier-owned state's mapping, a traced
    parcel's delivery, a handed-over parcel's first scan), and only for the parcel of the leg the
    carrier holds there: a late, replayed or reordered event never takes a case back. Raises
    ``CaseConflict`` when the case changed under us (nothing written; the provider retries). A
    journey's refusal is not an error: the event is kept and ``refused`` says why."""
    key = dedupe_key(provider=provider, update=update)
    found = Applied("unknown_parcel", update.tracking_number, update.status, update.event_id)
    shipment = shipment_by_tracking(update.tracking_number)
    if shipment is None:
        return found
    if TrackingEvent.objects.filter(dedupe_key=key).exists():
        return Applied("duplicate", update.tracking_number, update.status, update.event_id)
    with transaction.atomic():
        # Lock the parcel: two events for it at once are applied one after the other.
        shipment = Shipment.objects.select_for_update().get(pk=shipment.pk)
        # The newest scan with the parcel in hand so far: the first one accepts the handoff, a newer
        # one re-arms the watchdog.
        newest_scan = shipment.events.exclude(status__in=NOT_A_SCAN).values_list("occurred_at", flat=True).first()
        scanned_before = newest_scan is not None
        try:
            with transaction.atomic():
                TrackingEvent.objects.create(
                    shipment=shipment,
                    provider=provider,
                    dedupe_key=key,
                    status=update.status,
                    status_code=update.status_code,
                    description=update.description,
                    location=update.location,
                    occurred_at=update.occurred_at,
                    received_at=now(),
                    raw=update.raw,
                )
        except IntegrityError:  # the same event, delivered twice at once: the other one kept it
            return Applied("duplicate", update.tracking_number, update.status, update.event_id)
        advanced = _shipment_hears(shipment, update)
        case = Case.objects.select_related("journey").get(pk=shipment.case_id)
        watchdog_hears(shipment=shipment, case=case, update=update, advanced=advanced, newest=newest_scan)
        journey = journey_of(case.journey)
        applied = Applied("recorded", update.tracking_number, update.status, update.event_id, case.reference)
        if carrier_leg(journey=journey, state=case.state) != shipment.leg:
            return applied  # the carrier doesn't hold this parcel for the case now: history only
        accepted = False
        moved: list[str] = []
        handing = handed_over(journey, case.state) is not None
        # Twice at most: a parcel's first scan while the case waits for it to be handed over (the
        # device posted) moves the case into the carrier's state, where the same scan may move it on.
        for step in range(2):
            if not accepted and not scanned_before and update.status not in NOT_A_SCAN:
                try:
                    case = case_accept_handoff(case=case, actor=CARRIER)
                    accepted = True
                except TransitionRefused:
                    pass  # no handoff waiting (accepted already, or the state has none)
            event = carrier_move(journey, state=case.state, status=update.status) if advanced else None
            if event is None:
                break
            try:
                suffix = f":{step}" if step else ""
                case = case_advance(
                    case=case, event=event, actor=CARRIER, idempotency_key=f"carrier:{key}{suffix}"
                ).case
            except TransitionRefused as refused:
                log.warning("carrier event refused by the journey", extra={"case": case.reference, "event": event})
                return replace(applied, accepted=accepted, moved_by=", ".join(moved), refused=str(refused))
            moved.append(event)
            if not handing or journey.states[case.state].owner_kind != "carrier":
                break
        return replace(applied, accepted=accepted, moved_by=", ".join(moved))


def _shipment_hears(shipment: Shipment, update: CarrierUpdate) -> bool:
    """Update the parcel from ``update``; True when its status moved forward to ``update``'s."""
    changed: list[str] = []
    if update.tracking_url and not shipment.tracking_url:
        shipment.tracking_url = update.tracking_url
        changed.append("tracking_url")
    if update.expected_by is not None and update.expected_by != shipment.expected_by:
        shipment.expected_by = update.expected_by
        changed.append("expected_by")
    if update.service_level and not shipment.service_level:
        shipment.service_level = update.service_level
        changed.append("service_level")
    if not shipment.carrier and update.carrier:
        shipment.carrier = update.carrier
        changed.append("carrier")
    advanced = furthest(shipment.status, shipment.status_at, update.status, update.occurred_at)
    if advanced:
        shipment.status, shipment.status_at = update.status, update.occurred_at
        changed += ["status", "status_at"]
        if update.status == "delivered" and shipment.delivered_at is None:
            shipment.delivered_at = update.occurred_at
            changed.append("delivered_at")
    if changed:
        shipment.save(update_fields=changed)
    return advanced
