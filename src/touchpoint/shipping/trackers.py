"""Typed tracking numbers registered with the shop's tracking aggregator, so it tracks them too.

A parcel dispatched at the scan station with a tracking number typed or scanned there has no
aggregator (``Shipment.provider`` blank): none would send its events, and none could be polled. When
``TOUCHPOINT_CARRIER_TRACKER`` names one, the dispatch marks the parcel due (:func:`tracker_schedule`,
``next_poll_at`` now, provider still blank) and the worker's poll job registers it
(:func:`tracker_register`), outside any web request:

- AfterShip: ``GET /tracking/2024-10/trackings?tracking_numbers=`` first (a try whose answer was lost
  left it there), else ``POST /tracking/2024-10/trackings`` with ``tracking_number`` and ``slug``
  (https://www.aftership.com/docs/tracking/2024-10/trackings/create-tracking); its id is ``data.id``.
- EasyPost: ``GET /v2/trackers?tracking_code=`` first, else ``POST /v2/trackers`` with
  ``{"tracker": {"tracking_code", "carrier"}}`` (https://docs.easypost.com/docs/trackers); its id ``trk_…``.
- Shippo: ``POST /tracks/`` with ``carrier``, ``tracking_number`` and ``metadata``
  (https://docs.goshippo.com/docs/tracking/tracking). A Track has no id of its own: it is known by
  ``<carrier>/<tracking_number>``, the address ``GET /tracks/`` reads it at. Shippo can't be asked
  whether a number is registered, so a try whose answer was lost registers it again (Shippo may then
  send an event twice; each is kept once, by its dedupe key).

Registered: the parcel records the provider and the provider's id (``provider_shipment_id``), and is
polled from now when that provider is in ``TOUCHPOINT_CARRIER_POLL`` (else its webhooks speak). The
carrier's name as typed is looked up in ``carriers.slugs``; one it doesn't know is never guessed: a
"carrier not recognised" task for the shipping team. Unreachable, a 5xx, 408 or 429: tried again with
the outbox's backoff; after :data:`MAX_TRIES`, or at once for an answer a retry can't change, a task.
Meanwhile, and after, the parcel works as it did before: the scan station, search, the watchdog, and
the webhooks of a shop that registered it by hand."""

from __future__ import annotations

import logging
import urllib.parse
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction

from touchpoint.cases.models import TaskKind
from touchpoint.cases.services.tasks import task_open
from touchpoint.core.clock import now
from touchpoint.outbox.services import backoff_seconds
from touchpoint.shipping.carriers.slugs import carrier_slug
from touchpoint.shipping.models import Leg, Provider, Shipment
from touchpoint.shipping.postage import PostageError, api

log = logging.getLogger(__name__)

MAX_TRIES = 4
FINISHED = frozenset({"delivered", "return_to_sender", "expired"})
AFTERSHIP_TRACKINGS = "/tracking/2024-10/trackings"


def tracker_provider() -> str:
    """The aggregator typed numbers are registered with (``TOUCHPOINT_CARRIER_TRACKER``), or blank."""
    return str(getattr(settings, "TOUCHPOINT_CARRIER_TRACKER", "") or "")


def tracker_schedule(shipment: Shipment) -> list[str]:
    """Mark ``shipment`` (not saved) for registration by the worker when a tracker is configured and no
    aggregator tracks it yet: its ``next_poll_at`` is now, through the poll job's index. Returns the
    fields changed. Called where a parcel is recorded with a typed number (``shipment_record``)."""
    if not tracker_provider() or shipment.provider or not shipment.tracking_number:
        return []
    shipment.next_poll_at = now()
    return ["next_poll_at"]


def tracker_register(*, shipment_id: int) -> str:
    """Register one claimed parcel with the tracker; what became of it: ``registered``, ``retry``,
    ``failed`` (a task), ``unrecognised`` (a task) or ``skipped`` (nothing to do any more)."""
    provider = tracker_provider()
    shipment = Shipment.objects.select_related("case").get(pk=shipment_id)
    if not provider or shipment.provider or not shipment.tracking_number:
        Shipment.objects.filter(pk=shipment.pk, provider="").update(next_poll_at=None)
        return "skipped"
    if shipment.delivered_at is not None or shipment.status in FINISHED:
        Shipment.objects.filter(pk=shipment.pk).update(next_poll_at=None, poll_failures=0)
        return "skipped"  # its trip is over: nothing left to hear
    slug = carrier_slug(provider, shipment.carrier)
    if slug is None:
        _unrecognised(shipment, provider)
        return "unrecognised"
    try:
        tracker_id = tracker_create(
            provider, tracking_number=shipment.tracking_number, slug=slug, reference=_reference(shipment)
        )
    except PostageError as exc:
        return _failed(shipment, provider, exc)
    polled = provider in settings.TOUCHPOINT_CARRIER_POLL
    Shipment.objects.filter(pk=shipment.pk, provider="").update(
        provider=provider,
        provider_shipment_id=tracker_id[:80],
        poll_failures=0,
        next_poll_at=now() if polled else None,
    )
    log.info("shipping.tracker_registered", extra={"shipment": shipment.pk, "provider": provider})
    return "registered"


def _reference(shipment: Shipment) -> str:
    return f"{shipment.case.reference} {shipment.leg}"


def _unrecognised(shipment: Shipment, provider: str) -> None:
    label = Provider(provider).label
    typed = shipment.carrier or "(no carrier named)"  # a customer may not know whose van it is
    with transaction.atomic():
        Shipment.objects.filter(pk=shipment.pk).update(next_poll_at=None)
        task_open(
            kind=TaskKind.EXCEPTION,
            owner="team:shipping",
            case=shipment.case,
            title=f"Carrier not recognised: “{typed[:60]}” for parcel {shipment.tracking_number}",
            detail=(
                f"The parcel {shipment.tracking_number} ({_leg_words(shipment)}) was recorded with the carrier "
                f"“{typed}”, which isn't one we can name to {label}, so {label} hasn't been asked to track it: no "
                f"carrier events will come for it by themselves.\n\nAdd the tracking number on {label}'s dashboard "
                "with the right carrier (its events then arrive as any other parcel's), or follow it on the "
                "carrier's own site. The carriers we can name are listed in docs/carriers.md (Typed tracking numbers)."
            ),
            priority=2,
            due_at=now(),
            source_key=f"tracker-carrier:{shipment.pk}",
        )
    log.warning("shipping.tracker_carrier_unknown", extra={"shipment": shipment.pk, "carrier": typed[:60]})


def _failed(shipment: Shipment, provider: str, exc: PostageError) -> str:
    tries = shipment.poll_failures + 1
    at = now()
    if exc.temporary and tries < MAX_TRIES:
        Shipment.objects.filter(pk=shipment.pk).update(
            poll_failures=tries, next_poll_at=at + timedelta(seconds=backoff_seconds(tries))
        )
        log.warning("shipping.tracker_retry", extra={"shipment": shipment.pk, "error": str(exc)})
        return "retry"
    label = Provider(provider).label
    with transaction.atomic():
        Shipment.objects.filter(pk=shipment.pk).update(poll_failures=tries, next_poll_at=None)
        task_open(
            kind=TaskKind.EXCEPTION,
            owner="team:shipping",
            case=shipment.case,
            title=f"{label} isn't tracking parcel {shipment.tracking_number}: registering it failed",
            detail=(
                f"{label} was asked {tries} time{'s' if tries != 1 else ''} to track the parcel "
                f"{shipment.tracking_number} ({shipment.carrier}, {_leg_words(shipment)}). Last answer: {exc}\n\n"
                f"Check the tracking number and carrier, then add it on {label}'s dashboard (its events then "
                "arrive as any other parcel's). Meanwhile the parcel is watched as before, and the scan "
                "station records it when it arrives."
            ),
            priority=2,
            due_at=at,
            source_key=f"tracker:{shipment.pk}",
        )
    log.error("shipping.tracker_failed", extra={"shipment": shipment.pk, "error": str(exc)})
    return "failed"


def _leg_words(shipment: Shipment) -> str:
    return Leg(shipment.leg).label.lower()


# --- The providers' APIs -------------------------------------------------------------------------


def tracker_create(provider: str, *, tracking_number: str, slug: str, reference: str) -> str:
    """Ask ``provider`` to track ``tracking_number`` of carrier ``slug`` (its own word for the carrier);
    the provider's id for the tracking. Raises PostageError (``temporary`` when a retry may help)."""
    number = urllib.parse.quote(tracking_number)
    if provider == "easypost":
        listed = api(provider, "GET", f"/v2/trackers?tracking_code={number}&page_size=1")
        found = [t for t in _list(listed.get("trackers")) if _text(t, "carrier").lower() == slug.lower()]
        tracker = found[0] if found else None
        if tracker is None:
            tracker = api(
                provider, "POST", "/v2/trackers", {"tracker": {"tracking_code": tracking_number, "carrier": slug}}
            )
        return _need(_text(tracker, "id"), provider)
    if provider == "shippo":
        track = api(
            provider,
            "POST",
            "/tracks/",
            {"carrier": slug, "tracking_number": tracking_number, "metadata": reference},
        )
        carrier = _text(track, "carrier") or slug
        return f"{carrier}/{_need(_text(track, 'tracking_number'), provider)}"
    listed = api(provider, "GET", f"{AFTERSHIP_TRACKINGS}?tracking_numbers={number}")
    trackings = _list(_obj(listed, "data").get("trackings"))
    found = [t for t in trackings if _text(t, "slug") == slug]
    if found:
        return _need(_text(found[0], "id"), provider)
    created = api(provider, "POST", AFTERSHIP_TRACKINGS, {"tracking_number": tracking_number, "slug": slug})
    return _need(_text(_obj(created, "data"), "id"), provider)


def _list(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _obj(data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key)
    return value if isinstance(value, dict) else {}


def _text(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    return value.strip() if isinstance(value, str) else ""


def _need(value: str, provider: str) -> str:
    if not value:
        raise PostageError(f"{provider}'s answer has no tracking id: not the shape its API documents", temporary=True)
    return value
