"""Shipping writes: a parcel recorded against a case, and the scan station's one-step arrival or dispatch."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from django.db import transaction
from django.utils import timezone

from touchpoint.cases.actors import staff_actor
from touchpoint.cases.errors import CaseConflict, TransitionRefused
from touchpoint.cases.journeys import journey_of
from touchpoint.cases.models import Case, TimelineEntry
from touchpoint.core.clock import now
from touchpoint.flows.advance import case_advance
from touchpoint.journeys import Journey
from touchpoint.shipping.models import Leg, Shipment
from touchpoint.shipping.postage_buy import label_dispatch, label_for_dispatch
from touchpoint.shipping.selectors import DISPATCH_EVENTS, Action, case_by_code, last_scan, scan_event_for, scan_key
from touchpoint.shipping.trackers import tracker_schedule
from touchpoint.shipping.watchdog import watchdog_arm
from touchpoint.staff.models import StaffUser
from touchpoint.staff.selectors import owner_words, team_names

Outcome = Literal["recorded", "duplicate", "unknown", "refused"]

# What the person at the bench does with the parcel next, by the state it lands in. A state not
# listed gets "Hand it to <owner>: <label>", so a new journey still gets a useful line.
NEXT_STEPS: dict[str, str] = {
    "resting": "Put it on the resting shelf: surgery starts tomorrow.",
    "box_in_post": "Put the kit in the carrier's collection cage.",
    "return_in_post": "Put the parcel in the carrier's collection cage.",
    "feedback_asked": "Put the returned item on the returns shelf for checking.",
}


@dataclass(frozen=True)
class ScanResult:
    """What the scan station shows: a sentence, and the case it was about when one was found."""

    outcome: Outcome
    message: str
    code: str
    action: Action
    reference: str = ""
    customer: str = ""
    state_label: str = ""
    next_step: str = ""
    at: datetime | None = None


def shipment_record(*, case: Case, leg: Leg, carrier: str = "", tracking_number: str = "") -> Shipment:
    """Record a parcel for ``case``. The caller holds the transaction that also moves the case, so
    the parcel and the move commit together. A parcel leaving us starts its watchdog from now."""
    shipment = Shipment(
        case=case,
        leg=leg,
        carrier=carrier.strip(),
        tracking_number="".join(tracking_number.split()).upper(),
        created_at=now(),
    )
    if leg != Leg.INBOUND:  # the device coming to us is watched from its first scan: the customer posts it
        watchdog_arm(shipment=shipment, case=case, since=shipment.created_at)
    tracker_schedule(shipment)  # a typed number: the worker registers it with the shop's tracker
    shipment.save()
    return shipment


def _who(entry: TimelineEntry) -> str:
    return str(entry.actor_user) if entry.actor_user is not None else entry.actor_kind


def _clock(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%H:%M")


def scan_record(
    *,
    code: str,
    action: Action,
    user: StaffUser,
    carrier: str = "",
    tracking_number: str = "",
    inbound_tracking_number: str = "",
    label_reason: str = "",
) -> ScanResult:
    """Record that the parcel with ``code`` (case reference or tracking number) arrived or was
    dispatched, as ``user``, in one step. A repair kit's dispatch with ``inbound_tracking_number``
    (the prepaid label in the kit) also records the device's trip to us as a parcel of its own. A
    parcel whose label was bought while it was packed leaves on it unless another number is typed
    (then ``label_reason`` says why: ``postage_buy.label_dispatch``).

    Opens its own transaction: the move, its timeline entry, messages and timers (``case_advance``)
    and, for a dispatch, the ``Shipment`` commit together. Never raises for a person's mistake: an
    unknown code, a case not expecting this scan, or a scan already recorded each come back as a
    result with a sentence, and nothing is written."""
    code = code.strip()
    case = case_by_code(code)
    if case is None:
        return ScanResult(
            "unknown",
            f"No case or parcel has the code {code} — check the label, or search the queues.",
            code,
            action,
        )
    journey = journey_of(case.journey)
    state = journey.states[case.state]
    found = ScanResult("refused", "", code, action, case.reference, case.customer.name, state.label)
    event = scan_event_for(journey=journey, state=case.state, action=action)
    if event is None:
        previous = last_scan(case=case, action=action)
        if previous is not None:
            return _duplicate(found, previous)
        return _refused(found, _not_expecting(case, state.label, state.terminal, action))
    leg = DISPATCH_EVENTS.get(event)
    label = label_for_dispatch(case=case, leg=leg) if leg is not None else None  # read before the case moves
    try:
        with transaction.atomic():
            result = case_advance(
                case=case, event=event, actor=staff_actor(user), idempotency_key=scan_key(case=case, action=action)
            )
            if result.replayed:
                return _duplicate(found, result.entry)
            if leg is not None:
                # The parcel leaves on the label bought while it was packed, unless another was typed over it
                bought = label is not None and label_dispatch(
                    label=label, case=result.case, user=user, tracking_number=tracking_number, reason=label_reason
                )
                if not bought:
                    shipment_record(case=case, leg=leg, carrier=carrier, tracking_number=tracking_number)
                # The kit's return label, typed at its dispatch, unless one was bought for the device's parcel
                # through the aggregator (shipping.postage_buy): that parcel is recorded already.
                typed = leg == Leg.BOX and inbound_tracking_number.strip()
                if (
                    typed
                    and not Shipment.objects.filter(case=case, leg=Leg.INBOUND).exclude(tracking_number="").exists()
                ):
                    shipment_record(
                        case=case, leg=Leg.INBOUND, carrier=carrier, tracking_number=inbound_tracking_number
                    )
            else:  # an arrival: the device's parcel is here
                Shipment.objects.filter(case=case, leg=Leg.INBOUND, delivered_at__isnull=True).update(
                    delivered_at=result.entry.at
                )
    except TransitionRefused as refused:
        return _refused(found, _why_refused(case, refused, journey=journey, event=event, user=user))
    except CaseConflict:
        return _refused(found, f"{case.reference} changed while you were scanning it — scan it again.")
    moved = journey.states[result.case.state]
    next_step = (
        NEXT_STEPS.get(result.case.state) or f"Hand it to {owner_words(moved.owner, team_names())}: {moved.label}."
    )
    verb = "arrived" if action == "arrived" else "dispatched"
    return ScanResult(
        "recorded",
        f"{case.reference} {verb}: now “{moved.label}”.",
        code,
        action,
        case.reference,
        case.customer.name,
        moved.label,
        next_step,
        result.entry.at,
    )


def _duplicate(found: ScanResult, entry: TimelineEntry) -> ScanResult:
    return ScanResult(
        "duplicate",
        f"{found.reference}: already recorded at {_clock(entry.at)} by {_who(entry)} — nothing more to do.",
        found.code,
        found.action,
        found.reference,
        found.customer,
        found.state_label,
        "",
        entry.at,
    )


def _refused(found: ScanResult, message: str) -> ScanResult:
    return ScanResult("refused", message, found.code, found.action, found.reference, found.customer, found.state_label)


# Why an arrival can't be right yet, for the states where a person scanning might be surprised.
NOT_SENT_YET: dict[str, str] = {
    "awaiting_payment": "is waiting for payment: nothing has been sent to us yet",
    "payment_processing": "is waiting for payment: nothing has been sent to us yet",
    "payment_retrying": "is waiting for payment: nothing has been sent to us yet",
    "payment_failed": "is waiting for payment: nothing has been sent to us yet",
    "box_to_send": "is waiting for its repair kit to go out: the customer has nothing to send us yet",
    "box_in_post": "has its repair kit still on the way to the customer: nothing has been sent to us yet",
}


def _not_expecting(case: Case, label: str, terminal: bool, action: Action) -> str:
    if terminal:
        return f"{case.reference} has ended (“{label}”): nothing can be recorded on it. Open the case to see why."
    if action == "arrived" and case.state in NOT_SENT_YET:
        return f"{case.reference} {NOT_SENT_YET[case.state]}, so nothing was recorded."
    if action == "arrived":
        return (
            f"{case.reference} is at “{label}”: we aren't expecting a parcel from the customer at this step, "
            "so nothing was recorded. Open the case to see what it is waiting for."
        )
    return (
        f"{case.reference} is at “{label}”: nothing is ready to go out at this step, "
        "so nothing was recorded. Open the case to see what it is waiting for."
    )


def _who_may(journey: Journey, state: str, event: str) -> str:
    allowed = sorted({b for i in journey.index.get((state, event), []) for b in journey.transitions[i].by})
    names = []
    for who in allowed:
        if who.startswith("team:"):
            names.append(f"the {who[5:]} team")
        elif who.startswith("role:"):
            names.append(f"a {who[5:]} or above")
        elif who not in ("system", "carrier"):  # the carrier's own scans come by its webhook, not this station
            names.append(f"the {who}")
    return " or ".join(names) or "the system"


def _why_refused(case: Case, refused: TransitionRefused, *, journey: Journey, event: str, user: StaffUser) -> str:
    doing = "an arrival" if event not in DISPATCH_EVENTS else "a dispatch"
    if refused.code == "actor-not-allowed":
        teams = ", ".join(user.teams.order_by("slug").values_list("slug", flat=True)) or "no team"
        return (
            f"{case.reference}: only {_who_may(journey, case.state, event)} can record {doing} here "
            f"(you are in {teams}, as {user.role}). Ask one of them, or an admin to add you to the team."
        )
    return f"{refused} — nothing was recorded."
