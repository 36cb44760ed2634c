"""Messages a customer writes on their case page, and their request to talk to a person.

A message from the page is stored like an email (an :class:`InboundMessage` of source ``portal``,
its photos as attachments) and goes through the very same rules (:mod:`touchpoint.inbox.rules`):
a timeline note, a tone switch or a yes/no acted on by itself, anything else a task for a person.
The form's nonce is its identity, so a double submit stores one message."""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction

from touchpoint.cases.actors import CUSTOMER
from touchpoint.cases.models import Case, Task, TaskKind, TaskStatus, TimelineKind
from touchpoint.cases.services.handoffs import fallback_owner
from touchpoint.cases.services.tasks import task_open
from touchpoint.cases.services.timeline import timeline_append
from touchpoint.core.clock import now
from touchpoint.core.promises import by_words, when_words
from touchpoint.inbox.models import InboundAttachment, InboundMessage, Kind, MatchedBy, Proof, Source
from touchpoint.inbox.photos import Photo
from touchpoint.inbox.rules import customer_words_act
from touchpoint.inbox.sentiment import sentiment_of
from touchpoint.outbox.services import notice_enqueue
from touchpoint.touchpoints.services import tracking_url

log = logging.getLogger(__name__)

REACH_BY = {"email": "by email", "phone": "by phone"}


@dataclass(frozen=True)
class PortalMessageResult:
    message: InboundMessage
    duplicate: bool  # the same form was sent before: nothing was done this time
    acknowledgements: list[str]  # what we did on their word, to show on the page


def _message_id(case: Case, nonce: str) -> str:
    return f"<portal.{case.reference}.{nonce}@{settings.TOUCHPOINT_MAIL_DOMAIN}>"


def _subject(text: str) -> str:
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    if not first:
        return "Photos from the case page"
    return first if len(first) <= 80 else first[:79].rstrip() + "…"


def portal_message_receive(
    *, case: Case, text: str, photos: list[Photo], nonce: str, person_asked: bool = False
) -> PortalMessageResult:
    """Store one message from ``case``'s page and act on it as on an email from its customer.

    ``photos`` are already cleaned (:func:`touchpoint.inbox.photos.photo_clean`); ``nonce`` comes
    from the form (the same nonce stores one message). Opens its own transaction: the message, its
    photos, the timeline note, the task and any case move commit together; files written before a
    rollback are removed again."""
    message_id = _message_id(case, nonce)
    existing = InboundMessage.objects.filter(message_id=message_id).first()
    if existing is not None:
        return PortalMessageResult(existing, duplicate=True, acknowledgements=[])
    saved: list[str] = []
    try:
        with transaction.atomic():
            locked = Case.objects.select_for_update(of=("self",)).select_related("customer", "journey").get(pk=case.pk)
            customer = locked.customer
            raw = text.encode("utf-8")
            sentiment = sentiment_of(text) if text.strip() else None
            message = InboundMessage.objects.create(
                source=Source.PORTAL,
                message_id=message_id,
                raw_sha256=hashlib.sha256(raw).hexdigest(),
                raw=raw,
                from_email=customer.email[:254],
                from_name=(locked.contact_name or customer.name)[:200],  # who this case's order named
                to=[],
                subject=_subject(text),
                text=text,
                reply_text=text,
                kind=Kind.REPLY,
                matched_by=MatchedBy.LINK,
                proof=Proof.LINK,  # the case page is reached only by its link
                case=locked,
                customer=customer,
                sentiment=sentiment,
                received_at=now(),
            )
            for photo in photos:
                stored = InboundAttachment(
                    message=message,
                    filename=photo.filename,
                    content_type=photo.content_type,
                    size=len(photo.data),
                )
                # A random name: nothing about the customer or the photo in the path.
                stored.file.save(f"{secrets.token_hex(16)}.{photo.extension}", ContentFile(photo.data), save=False)
                saved.append(stored.file.name or "")
                stored.save()
            acknowledgements = customer_words_act(
                message=message,
                case=locked,
                customer=customer,
                sentiment=sentiment,
                words=text,
                person_asked=person_asked or (not text.strip() and bool(photos)),
            )
            message.save()
    except IntegrityError:
        _discard(saved)
        existing = InboundMessage.objects.filter(message_id=message_id).first()
        if existing is None:
            raise
        return PortalMessageResult(existing, duplicate=True, acknowledgements=[])
    except BaseException:
        _discard(saved)
        raise
    return PortalMessageResult(message, duplicate=False, acknowledgements=acknowledgements)


def _discard(names: list[str]) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:  # pragma: no cover - best effort; an orphan file loses nothing
            log.warning("could not remove photo file %s", name)


# -- asking for a person -----------------------------------------------------------------------


@dataclass(frozen=True)
class PersonRequest:
    task: Task
    created: bool  # False: a request was already open, nothing new was opened
    asked_at: datetime
    due_at: datetime


def person_request_open(*, case: Case) -> Task | None:
    """The customer's open request for a person on ``case``, if any."""
    return (
        Task.objects.filter(case=case, kind=TaskKind.PERSON_REQUESTED, status=TaskStatus.OPEN)
        .order_by("created_at")
        .first()
    )


def person_request(
    *, case: Case, need: str, reach_by: str, phone: str, nonce: str, due_for: Callable[[datetime], datetime]
) -> PersonRequest:
    """The customer asks to talk to a person: a priority-1 task due within the promise
    (``due_for(asked_at)``: ``flows.clocks.person_due``, in the care team's opening hours), a timeline
    note and an email saying when someone will be in touch.

    While one request is open a second opens nothing (it returns the first). Opens its own
    transaction and holds the case's row, so two requests at once make one task."""
    with transaction.atomic():
        locked = Case.objects.select_for_update(of=("self",)).select_related("customer").get(pk=case.pk)
        open_task = person_request_open(case=locked)
        if open_task is not None:
            due = open_task.due_at or open_task.created_at
            return PersonRequest(open_task, created=False, asked_at=open_task.created_at, due_at=due)
        at = now()
        due = due_for(at)
        customer = locked.customer
        # The name given with this case: who asked (the customer record may say someone else).
        name = locked.contact_name or "The customer"
        how = REACH_BY.get(reach_by, "by email")
        contact = f"phone {phone}" if reach_by == "phone" else f"email {customer.email}"
        detail = (
            f"{name} asked to talk to a person on the case page.\n"
            f"Reach them {how} ({contact}).\n\n"
            f"What they need: {need.strip() or '(not said)'}"
        )
        task = task_open(
            kind=TaskKind.PERSON_REQUESTED,
            owner=fallback_owner(),
            case=locked,
            title=f"{locked.reference}: {name} asked for a person — reach them {how}",
            detail=detail,
            due_at=due,
            priority=1,
            source_key=f"person:{locked.pk}:{nonce}",
        )
        timeline_append(
            case=locked,
            kind=TimelineKind.NOTE,
            actor=CUSTOMER,
            at=at,
            event="person_requested",
            summary=f"{name} asked to talk to a person ({how})",
            detail={"task": task.pk, "need": need.strip()[:1000], "reach_by": reach_by},
        )
        promise = by_words(due)  # the task's due time, said in the shop's clock
        body = "\n\n".join(
            [
                f"Hello {locked.contact_first_name}," if locked.contact_first_name else "Hello,",
                f"Thanks for asking: a person from our care team has your request about {locked.reference} "
                f"and will get in touch {how}, {promise} at the latest.",
                *([f"You told us: “{need.strip()}”"] if need.strip() else []),
                "Nothing else is needed from you. If it's urgent, just reply to this email.",
                f"Your case: {tracking_url(case=locked)}",
            ]
        )
        notice_enqueue(
            recipient=customer.email,
            subject=f"{locked.reference}: A person will be in touch {promise}",
            body_text=body,
            idempotency_key=f"person-requested:{task.pk}",
            case=locked,
        )
        return PersonRequest(task, created=True, asked_at=task.created_at, due_at=due)


def person_due_text(at: datetime) -> str:
    """``at`` as the page and the email say it ("14:05 today", "09:00 on Sunday 22 November")."""
    return when_words(at)
