"""The poller: parcels of aggregators that send no webhooks (``TOUCHPOINT_CARRIER_POLL``), asked about
by the worker when their ``next_poll_at`` comes.

Each due parcel's tracking is fetched from its aggregator's API (``postage.tracker_body``), read by
that provider's webhook parser (the API answers the object the webhook embeds) and applied event by
event, oldest first, by ``tracking.tracking_update_apply``: as idempotent and order-tolerant as the
webhooks, so polling the same tracking again changes nothing. The next poll: hourly while the parcel
travels, every 20 minutes once it is out for delivery or waiting to be collected, never again once
it is delivered, returned or no longer tracked, once its case has ended, or once nothing was heard of
it for ``POLL_GIVE_UP_AFTER`` (``polls_stop``, every parcel of every leg). A poll that fails is tried
again with backoff; after ``MAX_POLL_FAILURES`` in a row the shipping team gets a task and the parcel
is asked about daily.

The same job first registers the typed tracking numbers due with the shop's tracker
(``shipping.trackers``): a parcel with no provider whose ``next_poll_at`` has come, claimed the same way."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q, QuerySet

from touchpoint.cases.errors import CaseConflict
from touchpoint.cases.models import TaskKind
from touchpoint.cases.services.tasks import task_open
from touchpoint.core.clock import now
from touchpoint.outbox.services import backoff_seconds
from touchpoint.shipping.carriers import PROVIDERS, Malformed
from touchpoint.shipping.carriers.slugs import carrier_slug
from touchpoint.shipping.models import Provider, Shipment
from touchpoint.shipping.postage import PostageError, tracker_body
from touchpoint.shipping.trackers import tracker_provider, tracker_register
from touchpoint.shipping.tracking import tracking_update_apply

log = logging.getLogger(__name__)

POLL_EVERY = timedelta(hours=1)
POLL_SOON = timedelta(minutes=20)  # the parcel is at the door: its delivery is news within the hour
POLL_AFTER_CONFLICT = timedelta(minutes=1)  # the case was busy: the rest of the tracking is applied soon
POLL_GIVEN_UP = timedelta(days=1)  # after a person was told: still asked, rarely, so it heals by itself
FINAL = frozenset({"delivered", "return_to_sender", "expired"})
SOON = frozenset({"out_for_delivery", "available_for_pickup", "attempt_failed"})
# Nothing heard for three weeks since the dispatch or the carrier's last status: the poller stops. The
# watchdog made such a parcel a person's task long before (its ceiling is days), and the journey's wait
# limits have moved its case on; asking hourly for ever after would only spend the aggregator's quota on
# a label never used (a device the customer never posted) or a parcel the carrier stopped tracking.
POLL_GIVE_UP_AFTER = timedelta(days=21)
MAX_POLL_FAILURES = 6
MAX_PER_PASS = 20


def due_claim(rows: QuerySet[Any], *, due_field: str, batch: int, lease_seconds: float) -> list[int]:
    """Claim up to ``batch`` of ``rows`` whose ``due_field`` has come, oldest due first: it moves a lease
    ahead, so no other worker takes them meanwhile and a worker that dies leaves them due again. ``FOR
    UPDATE SKIP LOCKED`` on PostgreSQL. Opens its own transaction. (The parcels to poll, the labels to buy
    and to void.)"""
    with transaction.atomic():
        at = now()
        due: QuerySet[Any] = rows.filter(**{f"{due_field}__lte": at}).order_by(due_field, "pk")
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        ids = list(due.values_list("pk", flat=True)[:batch])
        if ids:
            rows.model.objects.filter(pk__in=ids).update(**{due_field: at + timedelta(seconds=lease_seconds)})
        return ids


def shipments_claim(rows: QuerySet[Shipment], *, batch: int, lease_seconds: float) -> list[int]:
    """Claim up to ``batch`` of the parcels ``rows`` whose ``next_poll_at`` has come (``due_claim``)."""
    return due_claim(rows, due_field="next_poll_at", batch=batch, lease_seconds=lease_seconds)


def shipping_poll_work(*, worker_id: str, batch: int, lease_seconds: float) -> int:
    """The worker's job: register the typed tracking numbers due with the tracker
    (``shipping.trackers``), then poll the parcels due. How many were registered and polled."""
    registered = 0
    if tracker_provider():
        # A parcel no aggregator tracks yet whose next_poll_at has come: its registration is due.
        unregistered = Shipment.objects.filter(provider="", next_poll_at__isnull=False).exclude(tracking_number="")
        claimed = shipments_claim(unregistered, batch=min(batch, MAX_PER_PASS), lease_seconds=lease_seconds)
        for shipment_id in claimed:
            tracker_register(shipment_id=shipment_id)
        registered = len(claimed)
    providers = list(settings.TOUCHPOINT_CARRIER_POLL)
    if not providers:
        return registered
    polls_stop(providers)
    rows = (
        Shipment.objects.filter(provider__in=providers, delivered_at__isnull=True, next_poll_at__isnull=False)
        .exclude(tracking_number="")
        .exclude(status__in=FINAL)
    )
    polled = shipments_claim(rows, batch=min(batch, MAX_PER_PASS), lease_seconds=lease_seconds)
    for shipment_id in polled:
        shipment_poll(shipment_id=shipment_id)
    return registered + len(polled)


def polls_stop(providers: list[str]) -> int:
    """The stop rule for every polled parcel, whatever its leg: no further poll (``next_poll_at`` cleared)
    once the carrier's word is final, its case has ended, or nothing was heard of it for
    ``POLL_GIVE_UP_AFTER`` since its dispatch and its last status. One update over the parcels due to be
    polled (the ``shipment_poll_due`` index). How many were stopped."""
    cutoff = now() - POLL_GIVE_UP_AFTER
    final = Q(status__in=FINAL) | Q(delivered_at__isnull=False)
    ended = Q(case__closed_at__isnull=False)
    silent = Q(created_at__lt=cutoff) & (Q(status_at__isnull=True) | Q(status_at__lt=cutoff))
    # A parcel with no tracking number yet is a label still being bought (postage_buy's schedule): not polled.
    stopped = (
        Shipment.objects.filter(provider__in=providers, next_poll_at__isnull=False)
        .exclude(tracking_number="")
        .filter(final | ended | silent)
        .update(next_poll_at=None)
    )
    if stopped:
        log.info("shipping.polls_stopped", extra={"count": stopped})
    return stopped


def shipment_poll(*, shipment_id: int) -> None:
    """Fetch one parcel's tracking and apply it; schedule the next poll. The caller claimed it."""
    shipment = Shipment.objects.get(pk=shipment_id)
    provider = shipment.provider
    try:
        # The carrier in the aggregator's own words (a typed "Royal Mail" is Shippo's royal_mail), else as kept.
        carrier = carrier_slug(provider, shipment.carrier) or shipment.carrier
        body = tracker_body(provider, tracking_number=shipment.tracking_number, carrier=carrier)
        if body is None:
            raise PostageError(
                f"{provider} doesn't know the tracking number {shipment.tracking_number}", temporary=True
            )
        updates = PROVIDERS[provider].parse(body)
    except (PostageError, Malformed) as exc:
        _failed(shipment, f"{type(exc).__name__}: {exc}")
        return
    for update in sorted(updates, key=lambda u: u.occurred_at):
        if update.tracking_number != shipment.tracking_number:
            continue  # never another parcel's news, whatever the answer held
        try:
            tracking_update_apply(provider=provider, update=update)
        except CaseConflict:
            Shipment.objects.filter(pk=shipment.pk).update(next_poll_at=now() + POLL_AFTER_CONFLICT)
            return
    shipment.refresh_from_db(fields=["status", "delivered_at"])
    if shipment.delivered_at is not None or shipment.status in FINAL:
        following = None
    else:
        following = now() + (POLL_SOON if shipment.status in SOON else POLL_EVERY)
    Shipment.objects.filter(pk=shipment.pk).update(next_poll_at=following, poll_failures=0)


def _failed(shipment: Shipment, error: str) -> None:
    failures = shipment.poll_failures + 1
    at = now()
    with transaction.atomic():
        if failures < MAX_POLL_FAILURES:
            Shipment.objects.filter(pk=shipment.pk).update(
                poll_failures=failures, next_poll_at=at + timedelta(seconds=backoff_seconds(failures))
            )
            log.warning("shipping.poll_retry", extra={"shipment": shipment.pk, "error": error})
            return
        Shipment.objects.filter(pk=shipment.pk).update(poll_failures=failures, next_poll_at=at + POLL_GIVEN_UP)
        if failures == MAX_POLL_FAILURES:
            label = Provider(shipment.provider).label
            task_open(
                kind=TaskKind.EXCEPTION,
                owner="team:shipping",
                case=shipment.case,
                title=f"No news from {label} about parcel {shipment.tracking_number}: {failures} polls failed",
                detail=(
                    f"Last answer: {error}\n\nLook the parcel up on {label}'s dashboard or the carrier's own "
                    "site. The worker keeps asking once a day, and the case's watchdog still watches it."
                ),
                priority=2,
                due_at=at,
                source_key=f"poll:{shipment.pk}:{shipment.tracking_number}",
            )
            log.error("shipping.poll_failed", extra={"shipment": shipment.pk, "error": error})
