"""Labels bought and not used, voided (refunded) through their aggregator by the worker.

A label is set aside when the parcel left on another one at the scan station, or when its purchase
landed after the parcel had gone (``postage_buy``). ``void_ask`` records a ``LabelVoid`` (one per
parcel: asking twice is asking once); the worker's ``shipping-voids`` job asks the aggregator:

- EasyPost ``POST /v2/shipments/{id}/refund`` answers the Shipment with its ``refund_status``:
  ``submitted`` (the carrier decides, within 30 days: read back with ``GET /v2/shipments/{id}``),
  ``refunded``, ``rejected``, or ``not_applicable`` (a carrier that bills on scan: an unused label
  costs nothing). https://docs.easypost.com/docs/shipments/shipping-refund
- Shippo ``POST /refunds/`` with ``{"transaction", "async": false}`` answers a Refund whose ``status``
  is ``QUEUED``/``PENDING`` (read back with ``GET /refunds/{object_id}``), ``SUCCESS`` or ``ERROR``.
  https://docs.goshippo.com/api-reference/refunds/create-a-refund

Unreachable, a 5xx, 408 or 429: tried again with the outbox's backoff, ``MAX_VOID_ATTEMPTS`` in all.
A refusal (a 4xx, ``rejected``, ``ERROR``), the last failure, or a refund still undecided after
``VOID_WAIT_LIMIT`` is the shipping team's task to void it by hand, with what the aggregator said."""

from __future__ import annotations

import logging
import urllib.parse
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal

from django.db import transaction

from touchpoint.cases.models import TaskKind
from touchpoint.cases.services.tasks import task_open
from touchpoint.core.clock import now
from touchpoint.outbox.services import backoff_seconds
from touchpoint.shipping.models import LEG_WORDS, LabelVoid, Leg, Provider, Shipment, VoidStatus
from touchpoint.shipping.poll import due_claim
from touchpoint.shipping.postage import PostageError, api

log = logging.getLogger(__name__)

MAX_VOID_ATTEMPTS = 4  # 30 s, 1 min, 2 min apart: an aggregator down longer is a person's
VOID_CHECK_EVERY = timedelta(hours=6)  # a refund the carrier is deciding: its answer comes in days
VOID_WAIT_LIMIT = timedelta(days=31)  # EasyPost: a carrier decides "no greater than 30 days"
MAX_PER_PASS = 20

Outcome = Literal["submitted", "voided", "refused"]


@dataclass(frozen=True)
class Answer:
    outcome: Outcome
    said: str  # the aggregator's status as it wrote it
    refund_id: str = ""


EASYPOST: dict[str, Outcome] = {
    "submitted": "submitted",
    "refunded": "voided",
    "not_applicable": "voided",  # a carrier that bills on scan: the unused label was never charged
    "rejected": "refused",
}
SHIPPO: dict[str, Outcome] = {"QUEUED": "submitted", "PENDING": "submitted", "SUCCESS": "voided", "ERROR": "refused"}


def _easypost(void: LabelVoid) -> Answer:
    path = f"/v2/shipments/{urllib.parse.quote(void.provider_id)}"
    shipment = (
        api("easypost", "POST", f"{path}/refund") if void.status == VoidStatus.ASKED else api("easypost", "GET", path)
    )
    return _answer("easypost", shipment.get("refund_status"), EASYPOST, "")


def _shippo(void: LabelVoid) -> Answer:
    if void.status == VoidStatus.ASKED or not void.refund_id:
        refund = api("shippo", "POST", "/refunds/", {"transaction": void.provider_id, "async": False})
    else:
        refund = api("shippo", "GET", f"/refunds/{urllib.parse.quote(void.refund_id)}")
    return _answer("shippo", refund.get("status"), SHIPPO, str(refund.get("object_id") or ""))


def _answer(provider: str, status: Any, meaning: dict[str, Outcome], refund_id: str) -> Answer:
    said = str(status or "")
    outcome = meaning.get(said)
    if outcome is None:
        raise PostageError(f"{provider}'s refund answer has no status it documents: {said[:60]!r}", temporary=True)
    return Answer(outcome, said, refund_id)


VOIDERS = {"easypost": _easypost, "shippo": _shippo}


def void_ask(*, shipment: Shipment, provider: str, shipment_id: str, label_id: str, number: str, why: str) -> None:
    """A label bought for ``shipment`` and not used: void it through ``provider``, by the worker. Without
    an id to name it by (a Shippo label bought before its transaction was kept), a person voids it."""
    target = label_id if provider == Provider.SHIPPO else shipment_id
    if provider not in VOIDERS or not target:
        _task(shipment, provider=provider, shipment_id=shipment_id, number=number, why=why, answer="")
        return
    at = now()
    LabelVoid.objects.get_or_create(
        shipment=shipment,
        defaults={
            "provider": provider,
            "provider_id": target[:80],
            "tracking_number": number[:60],
            "reason": why,
            "created_at": at,
            "next_try_at": at,
        },
    )


def label_voids_work(*, worker_id: str, batch: int, lease_seconds: float) -> int:
    """The worker's job: ask the aggregators to void the labels due. How many were asked."""
    claimed = due_claim(
        LabelVoid.objects.all(), due_field="next_try_at", batch=min(batch, MAX_PER_PASS), lease_seconds=lease_seconds
    )
    for void_id in claimed:
        void_work(void_id=void_id)
    return len(claimed)


def void_work(*, void_id: int) -> None:
    void = LabelVoid.objects.select_related("shipment", "shipment__case").get(pk=void_id)
    try:
        answer = VOIDERS[void.provider](void)
    except PostageError as exc:
        _failed(void, str(exc), temporary=exc.temporary)
        return
    at = now()
    fields: dict[str, Any] = {"answer": answer.said[:300], "attempts": 0, "refund_id": answer.refund_id[:80]}
    if answer.outcome == "submitted" and at - void.created_at < VOID_WAIT_LIMIT:
        LabelVoid.objects.filter(pk=void.pk).update(
            status=VoidStatus.SUBMITTED, next_try_at=at + VOID_CHECK_EVERY, **fields
        )
        return
    if answer.outcome == "voided":
        LabelVoid.objects.filter(pk=void.pk).update(status=VoidStatus.VOIDED, next_try_at=None, done_at=at, **fields)
        log.info("shipping.label_voided", extra={"void": void.pk, "provider": void.provider})
        return
    refused = answer.outcome == "refused"
    said = f"{answer.said}" if refused else f"still {answer.said} after {VOID_WAIT_LIMIT.days} days"
    _finish(void, VoidStatus.REFUSED if refused else VoidStatus.FAILED, said, **fields)


def _failed(void: LabelVoid, error: str, *, temporary: bool) -> None:
    attempts = void.attempts + 1
    if temporary and attempts < MAX_VOID_ATTEMPTS:
        LabelVoid.objects.filter(pk=void.pk).update(
            attempts=attempts, answer=error[:300], next_try_at=now() + timedelta(seconds=backoff_seconds(attempts))
        )
        log.warning("shipping.void_retry", extra={"void": void.pk, "error": error})
        return
    _finish(void, VoidStatus.FAILED if temporary else VoidStatus.REFUSED, error, attempts=attempts)


def _finish(void: LabelVoid, status: VoidStatus, said: str, **fields: Any) -> None:
    """Refused or given up on: recorded, and the shipping team voids it by hand, told what was said."""
    with transaction.atomic():
        fields["answer"] = said[:300]
        LabelVoid.objects.filter(pk=void.pk).update(status=status, next_try_at=None, done_at=now(), **fields)
        shipment = void.shipment
        _task(
            shipment,
            provider=void.provider,
            shipment_id=void.provider_id,
            number=void.tracking_number,
            why=void.reason,
            answer=said,
        )
    log.error("shipping.void_failed", extra={"void": void.pk, "error": said})


def _task(shipment: Shipment, *, provider: str, shipment_id: str, number: str, why: str, answer: str) -> None:
    """The shipping team voids it by hand (the task this was before the worker asked the aggregator)."""
    label = Provider(provider).label if provider else "the aggregator"
    said = f"\n\nAsked to void it, {label} answered: {answer}" if answer else ""
    task_open(
        kind=TaskKind.EXCEPTION,
        owner="team:shipping",
        case=shipment.case,
        title=f"{shipment.case.reference}: void the unused label {number} at {label}",
        detail=(
            f"{LEG_WORDS[Leg(shipment.leg)].capitalize()} {number} ({label} shipment {shipment_id or 'not recorded'}) "
            f"was not used: {why}. Void (refund) it in the {label} dashboard so its postage comes back; nothing "
            f"tracks it here.{said}"
        ),
        priority=2,
        due_at=now(),
        source_key=f"label-void:{shipment.pk}",
    )
