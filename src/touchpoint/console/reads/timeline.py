"""The case view's timeline: entries, outgoing messages and the customer's messages as one list,
newest first, in three queries whatever the case's history (one per kind of row).

An entry that sent a message or recorded a customer's message carries it; a message no entry names
(a notice, a customer's email the inbox matched) stands on its own. Times are given in the shop's
zone, already written out, so the template only places them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from functools import cache
from typing import Any

from django.db.models import QuerySet

from touchpoint.cases.models import TimelineEntry, TimelineKind
from touchpoint.cases.services.assign import ASSIGN_EVENT
from touchpoint.cases.services.notes import NOTE_EVENT
from touchpoint.console.reads.when import When
from touchpoint.console.words import actor_name, summary_words
from touchpoint.inbox.models import InboundMessage, Proof, Source
from touchpoint.journeys import Journey
from touchpoint.outbox.models import MessageStatus, OutboxMessage
from touchpoint.outbox.replies import REPLY_EVENT

_STATUS_WORDS = dict(MessageStatus.choices)
_PROOF_WORDS = dict(Proof.choices)
INBOUND_SHOWN = 600  # characters of a customer's message the timeline shows


@dataclass(frozen=True, slots=True)
class MessageView:
    subject: str
    tone: str
    automated: bool  # a touch point (journey or persona template) rather than a person's own words
    template: str
    template_words: str  # what the persona message says, from the journey's touch points
    status: str
    status_label: str
    recipient: str
    body: str
    channel: str = "email"  # email | sms: a text shows as one, with what the carrier said of it
    delivery: str = ""  # the provider's latest receipt (delivered, undelivered…) and its error code
    delivery_error: str = ""


@dataclass(frozen=True, slots=True)
class InboundView:
    subject: str
    text: str
    sentiment: float | None
    proof: str = ""  # what showed it comes from the customer, in words (docs/security.md)
    by_text: bool = False  # texted from their phone (inbox Source.SMS), not an email or the case page


@dataclass(slots=True)
class TimelineItem:
    at: datetime
    when: When
    kind: str  # opened | transition | note | task | delivery | message
    event: str
    actor: str
    summary: str
    internal: bool = False
    note: str = ""
    manual: str = ""  # why a person recorded a carrier's or the system's step by hand
    message: MessageView | None = None
    inbound: InboundView | None = None
    sort: tuple[Any, ...] = ()


MessageRow = tuple[int, str, str, str, str, str, str, datetime, str, str, str]
InboundRow = tuple[int, str, str, str, float | None, datetime, str, str, str]


# Each read's statement is built once per process (its columns and joins named, its order set) and
# filtered per request: building costs about as much as compiling it again. The base is never evaluated.
@cache
def _messages() -> QuerySet[OutboxMessage, MessageRow]:
    return OutboxMessage.objects.order_by("-created_at", "-pk").values_list(
        "pk", "subject", "tone", "touchpoint", "status", "recipient", "body_text", "created_at",
        "channel", "delivery", "delivery_error",
    )  # fmt: skip


@cache
def _inbound() -> QuerySet[InboundMessage, InboundRow]:
    return InboundMessage.objects.order_by("pk").values_list(
        "pk", "subject", "reply_text", "text", "sentiment", "received_at", "from_email", "proof", "source"
    )


@cache
def _entries() -> QuerySet[TimelineEntry, tuple[Any, ...]]:
    return TimelineEntry.objects.order_by("-seq").values_list(
        "seq", "at", "kind", "event", "summary", "detail", "actor_kind",
        "actor_user__first_name", "actor_user__last_name", "actor_user__username",
    )  # fmt: skip


def message_rows(case_id: int) -> list[MessageRow]:
    """The case's outgoing messages, newest first."""
    return list(_messages().filter(case_id=case_id))


def inbound_rows(case_id: int) -> list[InboundRow]:
    """The customer's messages on the case, oldest first."""
    return list(_inbound().filter(case_id=case_id))


def _entry_rows(case_id: int) -> list[tuple[Any, ...]]:
    return list(_entries().filter(case_id=case_id))


def _message_view(
    row: MessageRow, journey: Journey, *, personal: bool = False, template: str = "", tone: str = ""
) -> MessageView:
    _pk, subject, own_tone, touchpoint, status, recipient, body, _at, channel, delivery, delivery_error = row
    key = touchpoint or template
    return MessageView(
        subject=subject,
        tone=own_tone or tone,
        automated=not personal,
        template=key,
        template_words=journey.touchpoints.get(key, "") if key else "",
        status=status,
        status_label=str(_STATUS_WORDS.get(status, status)),
        recipient=recipient,
        body=body,
        channel=channel,
        delivery=delivery,
        delivery_error=delivery_error,
    )


def _inbound_view(row: InboundRow) -> InboundView:
    _pk, subject, reply_text, text, sentiment, _at, _sender, proof, source = row
    return InboundView(
        subject, reply_text or text, sentiment, str(_PROOF_WORDS.get(proof, proof)), by_text=source == Source.SMS
    )


def case_timeline(
    *,
    case_id: int,
    messages: list[MessageRow],
    inbound: list[InboundRow],
    journey: Journey,
    names: dict[str, str],
    zone: tzinfo,
) -> list[TimelineItem]:
    """Entries (read here), outgoing ``messages`` and customer messages (``inbound``, read by the
    caller, which shows them elsewhere too) as one list, newest first."""
    by_pk = {row[0]: row for row in messages}
    waiting = {row[0]: row for row in inbound}
    items: list[TimelineItem] = []
    shown: set[int] = set()
    for seq, at, kind, event, summary, detail, actor_kind, first, last, username in _entry_rows(case_id):
        detail = detail or {}
        item = TimelineItem(
            at=at,
            when=When.of(at, zone),
            kind=kind,
            event=event,
            actor=actor_name(actor_kind, first, last, username),
            summary=summary_words(journey, names, summary),
            internal=kind == TimelineKind.NOTE and event in (NOTE_EVENT, ASSIGN_EVENT),
            note=str(detail.get("text", "")) if event == NOTE_EVENT else "",
            manual=str(detail.get("manual") or "") if kind == TimelineKind.TRANSITION else "",
            sort=(at, 1, seq),
        )
        message_id = detail.get("message")
        if isinstance(message_id, int) and message_id in by_pk:
            shown.add(message_id)
            reply = event == REPLY_EVENT
            item.message = _message_view(
                by_pk[message_id],
                journey,
                personal=reply and bool(detail.get("personal")),
                template=str(detail.get("template", "")) if reply else "",
                tone=str(detail.get("tone", "")) if reply else "",
            )
        inbound_id = detail.get("inbound")
        if isinstance(inbound_id, int) and inbound_id in waiting:
            item.inbound = _inbound_view(waiting.pop(inbound_id))
        items.append(item)
    for pk, message in by_pk.items():
        if pk in shown:
            continue
        subject, touchpoint, created_at = message[1], message[3], message[7]
        kind = "touch point" if touchpoint else "notice"
        sent = "Text sent" if message[8] == "sms" else "Message sent"
        items.append(
            TimelineItem(
                at=created_at,
                when=When.of(created_at, zone),
                kind="message",
                event=touchpoint,
                actor="Touchpoint",
                summary=f"{sent} ({kind}): {subject}",
                message=_message_view(message, journey),
                sort=(created_at, 0, pk),
            )
        )
    for found in waiting.values():
        pk, subject, at, sender = found[0], found[1], found[5], found[6]
        wrote = "Customer texted" if found[8] == Source.SMS else "Customer wrote"
        items.append(
            TimelineItem(
                at=at,
                when=When.of(at, zone),
                kind="message",
                event="customer_message",
                actor=sender or "customer",
                summary=f"{wrote}: {subject}",
                inbound=_inbound_view(found),
                sort=(at, 0, -pk),
            )
        )
    items.sort(key=lambda i: i.sort, reverse=True)
    return items
