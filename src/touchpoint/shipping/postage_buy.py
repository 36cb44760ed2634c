"""Labels bought through the aggregator (``TOUCHPOINT_CARRIER_LABELS``), by the worker.

Every parcel of a case gets one, bought while the shop packs the parcel it goes with:

- the device's trip in (the prepaid label in the kit): as soon as a prepaid-box case is packing its
  kit (``BUY_STATES``), an inbound ``Shipment``;
- the parcels the shop sends (the kit out, the device home): while the case is in a state where the
  shop packs it, which the journey says (``pack_leg``: a state people own, not an exception, with a
  scan-station dispatch out of it; mail-in-repair ``box_to_send`` and ``return_to_pack``), a
  ``Shipment`` of that dispatch's leg marked ``packing`` until the parcel leaves on it.

The worker records the parcel (the provider set, no tracking number yet), then buys its label: rates
for the case's service level, then the purchase, each step recorded as it is done, so a retry never
buys twice (EasyPost: the shipment read back shows it bought; Shippo: the label carries our reference
as metadata and is found among those bought). The kit's dispatch touch point (``box_label``) carries
the inbound label's PDF, fetched at send time; while the label is being bought the message waits (the
outbox retries it). The shop's own labels are printed at the scan station, whose dispatch takes the
bought parcel as the one leaving (``label_dispatch``). A purchase that keeps failing ends as a task for
the shipping team and the shop's own printed label (``shipping/labels.py``) goes instead, as it does
when no aggregator is configured.

The poller's ``next_poll_at`` is the due time of the worker's next call to the aggregator about the
parcel: buying its label while it has no tracking number, then polling its tracker (``poll.py``)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, OuterRef

from touchpoint.cases.journeys import journey_of
from touchpoint.cases.models import Case, JourneyVersion, TaskKind
from touchpoint.cases.services.tasks import task_open
from touchpoint.core.clock import now
from touchpoint.journeys import Journey
from touchpoint.outbox.attachments import AttachmentNotReady
from touchpoint.outbox.models import OutboxMessage
from touchpoint.outbox.services import backoff_seconds
from touchpoint.shipping.labels import label_attachment, label_filename
from touchpoint.shipping.lanes import postcode_area
from touchpoint.shipping.models import LEG_WORDS, Leg, Provider, ServiceLevel, Shipment
from touchpoint.shipping.poll import POLL_EVERY, shipments_claim
from touchpoint.shipping.postage import (
    BUYERS,
    Address,
    Bought,
    LabelRequest,
    Parcel,
    PostageError,
    Quote,
    Rate,
    label_fetch,
)
from touchpoint.shipping.selectors import DISPATCH_EVENTS, scan_event_for
from touchpoint.shipping.voids import void_ask
from touchpoint.shipping.watchdog import watchdog_arm
from touchpoint.shop.selectors import shop_settings
from touchpoint.staff.models import StaffUser

log = logging.getLogger(__name__)

# The kit is being packed or is on its way: the prepaid label in it is the one to buy. (Once the
# customer is sending the device, a label bought now would come after the one they already hold.)
BUY_STATES = frozenset({"box_to_send", "box_in_post", "box_lost"})
# Tries before a person takes over: 30 s, 1 min, 2 min apart (the outbox's backoff), over well before
# the outbox gives up on the message waiting for the label, which then carries the shop's own.
MAX_BUY_ATTEMPTS = 4
MAX_PER_PASS = 10  # each purchase is two or three API calls within the pass's lease


def labels_provider() -> str:
    return str(settings.TOUCHPOINT_CARRIER_LABELS or "")


def pack_leg(journey: Journey, state: str) -> Leg | None:
    """The leg of the parcel the shop packs while a case is in ``state``: that of the scan station's
    dispatch out of it (``selectors.DISPATCH_EVENTS``), in a state people own that isn't an exception
    (in an exception a person first decides whether anything goes: a new kit, a replacement). None:
    the shop packs nothing there."""
    spec = journey.states.get(state)
    if spec is None or spec.exception or spec.terminal or not spec.owner.startswith("team:"):
        return None
    return next((DISPATCH_EVENTS[e] for e in journey.events_from(state) if e in DISPATCH_EVENTS), None)


def label_for_dispatch(*, case: Case, leg: Leg) -> Shipment | None:
    """The parcel recorded for the label of what the shop is packing now on ``leg`` (``packing``):
    bought (a tracking number), still being bought (a provider, no number) or given up on (neither).
    None: no label was bought for it (no aggregator, or nothing is being packed)."""
    if leg == Leg.INBOUND:
        return None
    return Shipment.objects.filter(case=case, leg=leg, packing=True).order_by("-created_at", "-id").first()


def labels_buy_work(*, worker_id: str, batch: int, lease_seconds: float) -> int:
    """The worker's job: record the parcels whose labels are to be bought, then buy what is due.
    How many items were worked."""
    provider = labels_provider()
    if not provider:
        return 0
    worked = _parcels_record(provider=provider, batch=batch)
    worked += _packing_settle()
    worked += _outbound_record(provider=provider, batch=batch)
    # Any aggregator that buys labels: one set to buy before the setting changed still finishes.
    waiting = Shipment.objects.filter(
        provider__in=list(BUYERS), tracking_number="", label_url="", next_poll_at__isnull=False
    )
    for shipment_id in shipments_claim(waiting, batch=min(batch, MAX_PER_PASS), lease_seconds=lease_seconds):
        _buy(shipment_id=shipment_id)
        worked += 1
    return worked


def _parcels_record(*, provider: str, batch: int) -> int:
    """An inbound parcel, due to have its label bought, for each prepaid-box case packing its kit
    that has none. Each in its own transaction holding the case's row, so two workers record one."""
    candidates = list(
        Case.objects.filter(state__in=BUY_STATES, data__prepaid_box=True)
        .exclude(shipments__leg=Leg.INBOUND)
        .order_by("pk")
        .values_list("pk", flat=True)[:batch]
    )
    recorded = 0
    for case_id in candidates:
        with transaction.atomic():
            locked = Case.objects.filter(pk=case_id)
            if connection.features.has_select_for_update:
                locked = locked.select_for_update()
            case = locked.first()
            # Asked again under the lock: another worker may have recorded it since the list was read.
            if case is None or Shipment.objects.filter(case_id=case_id, leg=Leg.INBOUND).exists():
                continue
            at = now()
            Shipment.objects.create(
                case=case,
                leg=Leg.INBOUND,
                provider=provider,
                origin_area=_area(case),
                created_at=at,
                next_poll_at=at,
            )
            recorded += 1
    return recorded


def _outbound_record(*, provider: str, batch: int) -> int:
    """A parcel, due to have its label bought, for each open case in a state where the shop packs one
    (``pack_leg``) that has none being packed. Each under the case's row lock."""
    versions = JourneyVersion.objects.filter(
        pk__in=Case.objects.filter(closed_at__isnull=True).values("journey_id").distinct()
    )
    recorded = 0
    for version in versions:
        journey = journey_of(version)
        for state in journey.states:
            leg = pack_leg(journey, state)
            if leg is None:
                continue
            recorded_here = Shipment.objects.filter(case=OuterRef("pk"), leg=leg, packing=True)
            candidates = list(
                Case.objects.filter(journey=version, state=state)
                .exclude(Exists(recorded_here))
                .order_by("pk")
                .values_list("pk", flat=True)[:batch]
            )
            for case_id in candidates:
                recorded += _outbound_one(case_id=case_id, state=state, leg=leg, provider=provider)
    return recorded


def _packing_settle() -> int:
    """Parcels whose case left the packing state without the scan station (the case page's button, a
    cancellation): no longer ``packing``, so the next time the shop packs that leg a new label is bought.
    A bought label stays the parcel's (it may be on the parcel: its carrier's events still find it); one
    still being bought stops. Two updates per journey version and leg, whatever the shop holds."""
    settled = 0
    for version in JourneyVersion.objects.filter(
        pk__in=Shipment.objects.filter(packing=True).values("case__journey_id").distinct()
    ):
        journey = journey_of(version)
        for leg in (Leg.BOX, Leg.RETURN):
            packing_states = [state for state in journey.states if pack_leg(journey, state) == leg]
            left = Shipment.objects.filter(packing=True, leg=leg, case__journey=version).exclude(
                case__state__in=packing_states
            )
            settled += left.exclude(tracking_number="").update(packing=False)
            settled += left.filter(tracking_number="").update(packing=False, provider="", next_poll_at=None)
    return settled


def _outbound_one(*, case_id: int, state: str, leg: Leg, provider: str) -> int:
    with transaction.atomic():
        locked = Case.objects.filter(pk=case_id)
        if connection.features.has_select_for_update:
            locked = locked.select_for_update()
        case = locked.first()
        # Asked again under the lock: the case may have moved on, or another worker recorded it.
        if case is None or case.state != state or label_for_dispatch(case=case, leg=leg) is not None:
            return 0
        at = now()
        Shipment.objects.create(case=case, leg=leg, provider=provider, created_at=at, next_poll_at=at, packing=True)
        return 1


def _wanted(shipment: Shipment) -> bool:
    """Whether the parcel's label is still to be bought: the kit is still being packed (the device's
    prepaid label), or the case is still packing the parcel it was recorded for."""
    case = shipment.case
    if shipment.leg == Leg.INBOUND:
        return case.state in BUY_STATES
    return shipment.packing and pack_leg(journey_of(case.journey), case.state) == shipment.leg


def _area(case: Case) -> str:
    """The postcode area the device is sent from (the watchdog's lane origin, ``lanes.postcode_area``)."""
    given = case.data.get("return_address") if isinstance(case.data, dict) else None
    return postcode_area(str(given.get("postcode", "")) if isinstance(given, dict) else "")


def reference_of(shipment: Shipment) -> str:
    """Ours for the parcel, kept by the aggregator (EasyPost ``reference``, Shippo ``metadata``)."""
    return f"touchpoint-{shipment.case.reference}-{shipment.pk}"


def _buy(*, shipment_id: int) -> None:
    shipment = Shipment.objects.select_related("case", "case__journey", "case__customer").get(pk=shipment_id)
    case, provider = shipment.case, shipment.provider
    if not _wanted(shipment):  # the case moved on (cancelled, the device already sent, dispatched by hand)
        Shipment.objects.filter(pk=shipment.pk).update(provider="", next_poll_at=None, packing=False)
        return
    buyer = BUYERS[provider]
    reference = reference_of(shipment)
    level = _service_level(case, provider)
    try:
        found: Quote | Bought
        if shipment.provider_shipment_id:  # a try before got this far: what did it leave?
            since = shipment.created_at - timedelta(minutes=5)
            found = buyer.lookup(shipment.provider_shipment_id, reference=reference, since=since)
        else:
            found = buyer.create(_request(case, reference, leg=Leg(shipment.leg)))
            # Recorded before buying: a retry reads this shipment back rather than creating another.
            Shipment.objects.filter(pk=shipment.pk).update(provider_shipment_id=found.shipment_id[:80])
        if isinstance(found, Quote):
            found = buyer.buy(found.shipment_id, _rate_choose(found.rates, level), reference=reference)
    except PostageError as exc:
        _failed(shipment, str(exc), temporary=exc.temporary)
        return
    _bought_record(shipment, found, level)


def _service_level(case: Case, provider: str) -> ServiceLevel | None:
    """The case's chosen service level (``service_level`` in its data), else the shop's first active
    one this aggregator can buy; None when the shop has none (the cheapest rate is bought)."""
    levels = ServiceLevel.objects.filter(active=True, provider__in=[provider, ""])
    code = case.data.get("service_level") if isinstance(case.data, dict) else None
    if isinstance(code, str) and code:
        chosen = levels.filter(code=code).first()
        if chosen is not None:
            return chosen
    return levels.first()


def _plain(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def _rate_choose(rates: list[Rate], level: ServiceLevel | None) -> Rate:
    if not rates:
        raise PostageError("the aggregator offered no rate for this parcel's route", temporary=False)
    if level is None:
        priced = [rate for rate in rates if rate.amount_minor is not None]
        return min(priced or rates, key=lambda rate: (rate.amount_minor or 0, rate.id))
    for rate in rates:
        if _plain(rate.carrier) == _plain(level.carrier) and _plain(level.service) in {
            _plain(rate.service),
            _plain(rate.service_name),
        }:
            return rate
    offered = ", ".join(sorted(f"{r.carrier} {r.service}" for r in rates))[:300]
    raise PostageError(
        f"no rate for the service level {level.code} ({level.carrier} {level.service}); offered: {offered}. "
        "Check the service level's carrier and service in the admin against the aggregator's names",
        temporary=False,
    )


def _request(case: Case, reference: str, *, leg: Leg) -> LabelRequest:
    """The device comes in from the address given with the order; the kit and the device go out to it."""
    parcel = settings.TOUCHPOINT_CARRIER_PARCEL
    customer, shop = _customer_address(case), shop_address()
    return LabelRequest(
        from_address=customer if leg == Leg.INBOUND else shop,
        to_address=shop if leg == Leg.INBOUND else customer,
        parcel=Parcel(
            float(parcel.get("length", 22)),
            float(parcel.get("width", 16)),
            float(parcel.get("height", 8)),
            float(parcel.get("weight", 500)),
        ),
        reference=reference,
    )


COUNTRY_CODES = {"united kingdom": "GB", "uk": "GB", "great britain": "GB", "england": "GB", "ireland": "IE"}


def _customer_address(case: Case) -> Address:
    given = case.data.get("return_address") if isinstance(case.data, dict) else None
    given = given if isinstance(given, dict) else {}
    return Address(
        name=str(given.get("name") or case.contact_name or ""),
        street1=str(given.get("line1", "")),
        street2=str(given.get("line2", "")),
        city=str(given.get("town", "")),
        zip=str(given.get("postcode", "")),
        country=str(given.get("country") or "GB"),
        email=case.customer.email if case.customer_id else "",
    )


def shop_address() -> Address:
    """Where the device comes to: ``TOUCHPOINT_CARRIER_SHOP_ADDRESS`` when set, else the shop's
    address lines read as [department…,] street, town, postcode[, country]."""
    shop = shop_settings()
    given = settings.TOUCHPOINT_CARRIER_SHOP_ADDRESS
    if given:
        return Address(
            name=shop.name,
            company=shop.name,
            street1=str(given.get("street1", "")),
            street2=str(given.get("street2", "")),
            city=str(given.get("city", "")),
            zip=str(given.get("zip", "")),
            country=str(given.get("country", "GB")),
            phone=str(given.get("phone", "")),
        )
    lines = list(shop.address_lines)
    country = "GB"
    if lines and (lines[-1].lower() in COUNTRY_CODES or (len(lines[-1]) == 2 and lines[-1].isalpha())):
        country = COUNTRY_CODES.get(lines[-1].lower(), lines[-1].upper())
        lines = lines[:-1]
    postcode = lines.pop() if lines else ""
    town = lines.pop() if lines else ""
    street = lines.pop() if lines else ""
    return Address(
        name=" ".join([shop.name, *lines]).strip(),
        company=shop.name,
        street1=street,
        city=town,
        zip=postcode,
        country=country,
    )


def _working_days_after(start: datetime, days: int) -> datetime:
    moment = start
    while days > 0:
        moment += timedelta(days=1)
        if moment.weekday() < 5:
            days -= 1
    return moment


def _bought_record(shipment: Shipment, bought: Bought, level: ServiceLevel | None) -> None:
    """Keep the label bought, and have the poller look after the device's parcel in when no webhook will
    (from now: the customer may post it any time; the parcels we send from their dispatch at the scan
    station, ``label_dispatch``). A parcel
    given up on meanwhile (another label went out at the scan station) keeps nothing: the label bought
    for it is voided through the aggregator (``voids``)."""
    at = now()
    expected = bought.delivery_date
    if expected is None and level is not None:
        expected = _working_days_after(at, level.promised_days)
    polled = shipment.provider in settings.TOUCHPOINT_CARRIER_POLL and shipment.leg == Leg.INBOUND
    kept = Shipment.objects.filter(pk=shipment.pk, provider=shipment.provider, tracking_number="").update(
        provider_shipment_id=bought.shipment_id[:80] or shipment.provider_shipment_id,
        label_id=bought.label_id[:80],
        tracking_number="".join(bought.tracking_number.split()).upper()[:60],
        carrier=bought.carrier[:60],
        service_level=(level.code if level is not None else bought.service)[:60],
        label_url=bought.label_url[:500],
        tracking_url=bought.tracking_url[:500] if bought.tracking_url.startswith("https://") else "",
        postage_minor=bought.amount_minor,
        expected_by=expected,
        next_poll_at=at + POLL_EVERY if polled else None,
        poll_failures=0,
    )
    if not kept:
        void_ask(
            shipment=shipment,
            provider=shipment.provider,
            shipment_id=bought.shipment_id,
            label_id=bought.label_id,
            number=bought.tracking_number,
            why="it was bought while the parcel left with another label at the scan station",
        )
        return
    log.info("shipping.label_bought", extra={"shipment": shipment.pk, "provider": shipment.provider})


def _failed(shipment: Shipment, error: str, *, temporary: bool) -> None:
    """Try again later with backoff, or hand it to the shipping team: the shop's own label goes instead."""
    with transaction.atomic():
        attempts = shipment.poll_failures + 1
        at = now()
        # Only while the parcel is still the aggregator's: one dispatched meanwhile with another label
        # (``label_dispatch`` cleared its provider) needs nobody.
        still = Shipment.objects.filter(pk=shipment.pk, provider=shipment.provider, tracking_number="")
        if temporary and attempts < MAX_BUY_ATTEMPTS:
            still.update(poll_failures=attempts, next_poll_at=at + timedelta(seconds=backoff_seconds(attempts)))
            log.warning("shipping.label_retry", extra={"shipment": shipment.pk, "error": error})
            return
        # Blank provider: the shop's own label, with no aggregator tracking it (Provider's meaning).
        if not still.update(provider="", poll_failures=attempts, next_poll_at=None):
            return
        label = Provider(shipment.provider).label
        why = "was refused" if not temporary else f"failed {attempts} times"
        leg = Leg(shipment.leg)
        if leg == Leg.INBOUND:
            instead = (
                "The customer gets the shop's own printed label (postage paid by the shop) instead, so "
                "nothing waits; the device's parcel won't be tracked until intake scans it in."
            )
        else:
            instead = (
                "Print the shop's own label at the scan station (looking the case up shows it) and type "
                "the carrier's tracking number when you dispatch the parcel, so it is still tracked."
            )
        task_open(
            kind=TaskKind.EXCEPTION,
            owner="team:shipping",
            case=shipment.case,
            title=f"{shipment.case.reference}: buying {LEG_WORDS[leg]} through {label} {why}",
            detail=(
                f"Last answer: {error}\n\n{instead} Check the {label} account (its API key, balance and the "
                "service levels' carrier and service names)."
            ),
            priority=1,
            due_at=at,
            source_key=f"label-buy:{shipment.pk}",
        )
        log.error("shipping.label_failed", extra={"shipment": shipment.pk, "error": error})


def label_dispatch(
    *, label: Shipment, case: Case, user: StaffUser, tracking_number: str = "", reason: str = ""
) -> Shipment | None:
    """The scan station's dispatch of a parcel whose label was bought (or tried) while it was packed
    (``label_for_dispatch``, read before the case moved). Called inside the dispatch's transaction,
    ``case`` as it now is. Returns the parcel leaving when it is the bought one (nothing typed, or its
    own number typed): its dispatch time and watchdog start now, and when its aggregator sends no webhooks
    (``TOUCHPOINT_CARRIER_POLL``) it is polled from an hour on (``poll.py``). Otherwise None, and the
    caller records the parcel typed: a bought label set aside is voided through its aggregator by the
    worker (``voids``, with ``reason``, which the scan station asks for), a purchase still running is stopped."""
    row = Shipment.objects.select_for_update().filter(pk=label.pk).first() if label.pk else None
    if row is None:
        return None
    typed = "".join(tracking_number.split()).upper()
    row.packing = False
    if row.tracking_number and typed in ("", row.tracking_number):
        row.created_at = now()
        watchdog_arm(shipment=row, case=case, since=row.created_at)
        if row.provider in settings.TOUCHPOINT_CARRIER_POLL:
            # An hour on: the carrier has rarely scanned a parcel in the minutes after it leaves the shop.
            row.next_poll_at, row.poll_failures = row.created_at + POLL_EVERY, 0
        row.save()
        return row
    if row.tracking_number:
        void_ask(
            shipment=row,
            provider=row.provider,
            shipment_id=row.provider_shipment_id,
            label_id=row.label_id,
            number=row.tracking_number,
            why=f"{user} sent the parcel on {typed}: {reason or 'no reason given'}",
        )
        Shipment.objects.filter(pk=row.pk).update(tracking_number="", provider="", next_poll_at=None, packing=False)
    else:  # still being bought (stopped here), or given up on
        Shipment.objects.filter(pk=row.pk).update(provider="", next_poll_at=None, packing=False)
    return None


def box_label_attachment(message: OutboxMessage) -> tuple[str, bytes, str]:
    """The outbox's maker for ``box_label`` (``TOUCHPOINT_ATTACHMENT_MAKERS``): the label bought for
    the device's parcel, else (no aggregator, or buying it failed) the shop's own printed label.
    Raises AttachmentNotReady while the label is still being bought: the message waits for it."""
    if message.case_id is None:
        raise ValueError("a box label needs the message's case")
    case = Case.objects.select_related("customer").get(pk=message.case_id)
    parcel = Shipment.objects.filter(case=case, leg=Leg.INBOUND).order_by("-created_at", "-id").first()
    if parcel is not None and parcel.label_url:
        try:
            return label_filename(case=case), label_fetch(parcel.label_url), "application/pdf"
        except PostageError as exc:
            if exc.temporary:
                raise AttachmentNotReady(f"the bought label couldn't be fetched yet: {exc}") from exc
            raise
    provider = labels_provider()
    buying = parcel.provider != "" if parcel is not None else case.state in BUY_STATES
    if provider and buying and bool(case.data.get("prepaid_box")):
        raise AttachmentNotReady(f"the prepaid label is still being bought through {Provider(provider).label}")
    return label_attachment(message)


@dataclass(frozen=True)
class PackedLabel:
    """What the scan station shows for a parcel about to be dispatched: the label it goes on.
    ``status``: ``bought`` (print it; its number is the parcel's), ``buying`` (not yet),
    ``failed`` (given up on: the shop's own label) or ``none`` (no aggregator buys this one)."""

    leg: Leg
    status: Literal["bought", "buying", "failed", "none"]
    tracking_number: str = ""
    carrier: str = ""
    provider: str = ""  # as people read it
    label_url: str = ""

    @property
    def words(self) -> str:
        return LEG_WORDS[self.leg]


def packed_label(*, case: Case) -> PackedLabel | None:
    """The label of the parcel the scan station would dispatch for ``case`` now; None when nothing
    can be dispatched from its state."""
    journey = journey_of(case.journey)
    event = scan_event_for(journey=journey, state=case.state, action="dispatched")
    if event is None:
        return None
    leg = DISPATCH_EVENTS[event]
    row = label_for_dispatch(case=case, leg=leg)
    if row is None:
        return PackedLabel(leg, "none")
    provider = Provider(row.provider).label if row.provider else ""
    if row.tracking_number:
        return PackedLabel(leg, "bought", row.tracking_number, row.carrier, provider, row.label_url)
    return PackedLabel(leg, "buying" if row.provider else "failed", provider=provider)


@dataclass(frozen=True)
class LabelToPrint:
    reference: str
    words: str
    status: Literal["bought", "buying", "failed"]
    tracking_number: str
    provider: str


LABELS_LISTED = 30


def labels_to_print() -> list[LabelToPrint]:
    """The scan station's list of parcels being packed with a label bought (or being bought) for them,
    oldest first. One query, and none when no aggregator buys labels."""
    if not labels_provider():
        return []
    rows = (
        Shipment.objects.filter(packing=True)
        .order_by("created_at", "id")
        .values_list("case__reference", "leg", "tracking_number", "provider")[:LABELS_LISTED]
    )
    return [
        LabelToPrint(
            reference,
            LEG_WORDS[Leg(leg)],
            "bought" if number else "buying" if provider else "failed",
            number,
            Provider(provider).label if provider else "",
        )
        for reference, leg, number, provider in rows
    ]
