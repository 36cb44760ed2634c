"""The watchdog: a parcel that stops moving becomes a person's task, and its customer hears from us
before they have to ask.

Each tracked parcel carries ``silent_after``: its last carrier scan (or its dispatch) plus the
bound its lane has earned (:func:`silent_bound`: the lane's p90 transit plus a margin; within a
floor and a ceiling while the lane's history is thin; the ceiling when it has none). Set when the
parcel leaves (:func:`watchdog_arm` at dispatch) and again by every newer scan
(``shipping.tracking``), in the transaction that keeps the scan. A parcel the carrier reports in
trouble (``exception``) or no longer tracked (``expired``) that its journey didn't move on is due
at once.

The worker's job (:func:`watchdog_work`) claims parcels past ``silent_after`` (not delivered, not
fired) and fires each once per silence, in one transaction: a task for the team that traces the
case's parcels (with the last scan, where and when, and the carrier's tracking link), a timeline
entry, and a plain-spoken message to the customer. ``watchdog_fired_at`` keeps it from firing again
until a newer scan re-arms it.

The journey's own wait limit on a carrier-owned state (``box_in_post``'s 2½ days) stays: it is the
outer bound, moving the case to the journey's tracing state whatever the lanes say. The watchdog
warns earlier when the lane is quicker than that. A parcel whose case has moved on by the time its
watchdog is due (delivered by hand at the scan station, already being traced) is marked fired
without a second task."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction

from touchpoint.cases.actors import SYSTEM
from touchpoint.cases.journeys import journey_of
from touchpoint.cases.models import Case, TaskKind, TimelineKind, Timer, TimerStatus
from touchpoint.cases.services.handoffs import fallback_owner
from touchpoint.cases.services.tasks import task_open
from touchpoint.cases.services.timeline import timeline_append
from touchpoint.core.clock import now
from touchpoint.core.promises import by_words, day_words, when_words
from touchpoint.journeys import Journey
from touchpoint.journeys.carrier import IN_HAND_EXCLUDED
from touchpoint.outbox.services import notice_to_customer
from touchpoint.shipping.carriers.base import STATUS_WORDS, CarrierUpdate
from touchpoint.shipping.lanes import lane_figure, lane_figure_compute, lane_of, lane_stamp
from touchpoint.shipping.models import Leg, Shipment, TrackingEvent
from touchpoint.shipping.selectors import carrier_leg
from touchpoint.touchpoints.rendering import sms_derive
from touchpoint.touchpoints.services import tracking_url

log = logging.getLogger(__name__)

# What the carrier says that needs a person at once, when the journey didn't move the case for it.
ALARMING = frozenset({"exception", "expired"})

# The parcel as its customer knows it.
PARCEL_WORDS = {
    Leg.BOX: "your repair kit",
    Leg.INBOUND: "your parcel to us",
    Leg.RETURN: "your parcel home",
}


def silent_bound(*, shipment: Shipment) -> timedelta:
    """How long ``shipment`` may go without a scan before a person looks, from its lane's figures
    (one query): p90 + margin once the lane has ``TOUCHPOINT_WATCHDOG_MIN_DELIVERIES``; with fewer,
    the same kept between the floor and the ceiling; with none, the ceiling."""
    floor = timedelta(hours=settings.TOUCHPOINT_WATCHDOG_FLOOR_HOURS)
    ceiling = timedelta(hours=settings.TOUCHPOINT_WATCHDOG_CEILING_HOURS)
    figure = lane_figure(lane_of(shipment))
    if figure is None or figure.p90_hours is None or figure.deliveries == 0:
        return ceiling
    learnt = timedelta(hours=figure.p90_hours * (1 + settings.TOUCHPOINT_WATCHDOG_MARGIN_PERCENT / 100))
    if figure.deliveries >= settings.TOUCHPOINT_WATCHDOG_MIN_DELIVERIES:
        return learnt
    return min(max(learnt, floor), ceiling)


def watchdog_arm(*, shipment: Shipment, case: Case, since: datetime) -> list[str]:
    """Set ``shipment``'s bound from ``since`` (its newest scan, or its dispatch) and re-arm it; its
    lane's origin is written first when missing. Not saved: returns the fields changed. The caller
    holds the transaction that keeps what ``since`` is the time of."""
    changed = lane_stamp(shipment=shipment, case=case)
    if not shipment.tracking_number:
        return changed  # nobody tracks it: no scan will ever come to say it moved
    shipment.silent_after = since + silent_bound(shipment=shipment)
    shipment.watchdog_fired_at = None
    return [*changed, "silent_after", "watchdog_fired_at"]


def watchdog_hears(
    *, shipment: Shipment, case: Case, update: CarrierUpdate, advanced: bool, newest: datetime | None
) -> None:
    """What a carrier's event (just kept) means to ``shipment``'s watchdog; saves what changed. Called
    by ``tracking_update_apply`` inside its transaction, the shipment's row locked.

    A scan with the parcel in hand newer than ``newest`` (the newest before it) re-arms the watchdog
    from that scan; the carrier's ``exception`` or ``expired`` moving the parcel's status makes it
    due at once (when the journey moves the case on for it, the watchdog finds the case traced
    already and stays quiet). Delivered: nothing to watch."""
    if shipment.delivered_at is not None:
        return
    changed: list[str] = []
    if update.status in ALARMING and advanced:
        shipment.silent_after, shipment.watchdog_fired_at = now(), None
        changed = ["silent_after", "watchdog_fired_at"]
    elif update.status not in IN_HAND_EXCLUDED and (newest is None or update.occurred_at > newest):
        changed = watchdog_arm(shipment=shipment, case=case, since=update.occurred_at)
    if changed:
        shipment.save(update_fields=changed)


def watchdog_work(*, worker_id: str, batch: int, lease_seconds: float) -> int:
    """The worker's job: fire the watchdog of up to ``batch`` parcels past their bound, the longest
    silent first (off the ``shipment_watchdog_due`` partial index). Each in its own transaction, its
    row locked and checked again, so two workers never fire one parcel twice. Returns how many fired."""
    at = now()
    due = list(
        Shipment.objects.filter(silent_after__lte=at, watchdog_fired_at__isnull=True, delivered_at__isnull=True)
        .order_by("silent_after", "pk")
        .values_list("pk", flat=True)[:batch]
    )
    fired = 0
    for pk in due:
        shipment = _fire(pk=pk, at=at)
        if shipment is not None:
            fired += 1
            lane_figure_compute(lane=lane_of(shipment))  # one more parcel given up on in its lane
    return fired


def _fire(*, pk: int, at: datetime) -> Shipment | None:
    """Fire ``pk``'s watchdog (the parcel, or None when it isn't due any more)."""
    with transaction.atomic():
        shipment = (
            Shipment.objects.select_for_update(skip_locked=True)
            .filter(pk=pk, silent_after__lte=at, watchdog_fired_at__isnull=True, delivered_at__isnull=True)
            .first()
        )
        if shipment is None:
            return None  # another worker has it, or a scan re-armed it meanwhile
        # The case's row only (not its journey version's or customer's), and FOR NO KEY UPDATE: cases
        # are still opened on the version, and the customer's other cases move, meanwhile.
        case = (
            Case.objects.select_for_update(of=("self",), no_key=True)
            .select_related("journey", "customer")
            .get(pk=shipment.case_id)
        )
        journey = journey_of(case.journey)
        shipment.watchdog_fired_at = at
        shipment.save(update_fields=["watchdog_fired_at"])
        here = journey.states.get(case.state)
        if (
            here is None
            or here.owner_kind != "carrier"
            or carrier_leg(journey=journey, state=case.state) != shipment.leg
        ):
            # The case has moved on (delivered by hand, or people trace it already): nobody to alert.
            return shipment
        last = shipment.events.first()  # the newest by when it happened
        owner = tracing_owner(journey, case.state)
        detail = _task_detail(shipment, last)
        task = task_open(
            kind=TaskKind.EXCEPTION,
            owner=owner,
            title=f"{case.reference}: {_parcel_title(shipment)} has gone quiet — trace it with {_carrier(shipment)}",
            case=case,
            detail=detail,
            due_at=at + timedelta(hours=4),
            priority=1,
            source_key=f"watchdog:{shipment.pk}:{shipment.silent_after.isoformat() if shipment.silent_after else ''}",
        )
        timeline_append(
            case=case,
            kind=TimelineKind.TASK,
            actor=SYSTEM,
            at=at,
            event="parcel_silent",
            summary=f"No news of the parcel ({_since_words(shipment, last)}): {owner} traces it; the customer told",
            detail={"tracking_number": shipment.tracking_number, "task": task.pk, "leg": shipment.leg},
        )
        _tell_customer(case=case, shipment=shipment, last=last, key=f"watchdog:{shipment.pk}:{at.isoformat()}")
        log.info("watchdog fired", extra={"case": case.reference, "tracking_number": shipment.tracking_number})
        return shipment


def tracing_owner(journey: Journey, state: str) -> str:
    """The team that traces a parcel lost in carrier-owned ``state``: the owner of the state the
    carrier's bad news leads to (``box_in_post`` —exception→ ``box_lost``, the shipping team), else
    the fallback team."""
    here = journey.states.get(state)
    bad_news = (here.carrier or {}).get("exception") if here is not None else None
    for index in journey.index.get((state, bad_news or ""), []):
        target = journey.states.get(journey.transitions[index].to)
        if target is not None and target.team:
            return target.owner
    return fallback_owner()


def _carrier(shipment: Shipment) -> str:
    return shipment.carrier or "the carrier"


def _parcel_title(shipment: Shipment) -> str:
    return {Leg.BOX: "the repair kit", Leg.INBOUND: "the customer's parcel", Leg.RETURN: "the parcel home"}.get(
        Leg(shipment.leg), "the parcel"
    )


def _since_words(shipment: Shipment, last: TrackingEvent | None) -> str:
    if last is None:
        return f"no scan since it left at {when_words(shipment.created_at)}"
    return f"last scan {when_words(last.occurred_at)}"


def _task_detail(shipment: Shipment, last: TrackingEvent | None) -> str:
    lines = [f"Tracking number: {shipment.tracking_number} ({_carrier(shipment)}"]
    lines[0] += f", {shipment.service_level})" if shipment.service_level else ")"
    if last is None:
        lines.append(f"No scan from the carrier since it was dispatched at {when_words(shipment.created_at)}.")
    else:
        words = last.description or STATUS_WORDS.get(last.status, last.status)
        where = f" at {last.location}" if last.location else ""
        lines.append(f"Last scan: “{words}”{where}, {when_words(last.occurred_at)}.")
    if shipment.status == "exception" or shipment.status == "expired":
        lines.append(f"The carrier says: {STATUS_WORDS.get(shipment.status, shipment.status)}.")
    if shipment.tracking_url:
        lines.append(f"The carrier's tracking page: {shipment.tracking_url}")
    lines.append(
        f"Ask {_carrier(shipment)} to trace it (quote the tracking number), then tell the customer what "
        "they said. The customer has been told we are on it."
    )
    return "\n".join(lines)


def _tell_customer(*, case: Case, shipment: Shipment, last: TrackingEvent | None, key: str) -> None:
    """A plain, honest message (never the persona's jokes: something may have gone wrong) saying
    what we know, what a person is doing about it, and where to follow it."""
    parcel = PARCEL_WORDS.get(Leg(shipment.leg), "your parcel")
    carrier = _carrier(shipment)
    if last is None:
        known = f"{carrier} hasn't scanned {parcel} since it was sent {day_words(shipment.created_at)}."
    else:
        where = f" at {last.location}" if last.location else ""
        known = f"{carrier} last scanned {parcel}{where} {day_words(last.occurred_at)}, and hasn't scanned it since."
    if shipment.status in ALARMING:
        known += f" Their tracking now says: {STATUS_WORDS.get(shipment.status, shipment.status).lower()}."
    lines = [
        f"Hello {case.contact_first_name}," if case.contact_first_name else "Hello,",
        known,
        "That is longer than parcels on this route usually go without news, so a person on our team is "
        f"asking {carrier} to trace it now. You don't need to do anything.",
    ]
    outer = _outer_bound(case)
    if outer is not None:
        lines.append(f"If it still hasn't turned up {by_words(outer)}, we'll write again with what happens next.")
    if shipment.tracking_url:
        lines.append(f"{carrier}'s tracking page: {shipment.tracking_url}")
    lines += [
        f"Your case: {tracking_url(case=case)}",
        "To talk to a person, just reply to this email: a person reads every reply.",
    ]
    subject = f"{case.reference}: {parcel} has gone quiet in the post — we're on it"
    # By the customer's channel, like every touch point: a text that fits two segments (what we know,
    # that a person is on it, their case's link), held through the night where they are; if it can't
    # be delivered, its receipt sends its words by email instead (outbox.receipts).
    notice_to_customer(
        case=case,
        subject=subject,
        body_text="\n\n".join(lines),
        sms=_sms_words(case, shipment, last),
        idempotency_key=key,
    )


def _sms_words(case: Case, shipment: Shipment, last: TrackingEvent | None) -> str:
    parcel = PARCEL_WORDS.get(Leg(shipment.leg), "your parcel")
    carrier = _carrier(shipment)
    since = day_words(last.occurred_at if last is not None else shipment.created_at).removeprefix("on ")
    said = f"{carrier} hasn't scanned {parcel} since {since}"
    if shipment.status in ALARMING:
        said = f"{carrier}'s tracking for {parcel} says: {STATUS_WORDS.get(shipment.status, shipment.status).lower()}"
    return sms_derive(
        subject=f"{case.reference}: {said}. A person here is asking them to trace it now; nothing for you to do.",
        url=tracking_url(case=case),
    )


def _outer_bound(case: Case) -> datetime | None:
    """When the journey's own wait limit on the carrier's state runs out (its timeout's message then
    says what happens next): the promise "we'll write again by …" is that timer's."""
    timer = (
        Timer.objects.filter(case=case, purpose="wait", status=TimerStatus.PENDING, state_seq=case.state_seq)
        .order_by("due_at")
        .first()
    )
    return timer.due_at if timer is not None and timer.due_at > now() else None
