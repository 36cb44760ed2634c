"""Reads for pages that show a case's conversation or its customer's photos."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from touchpoint.cases.models import Case
from touchpoint.inbox.models import InboundAttachment, InboundMessage, Kind, Source
from touchpoint.inbox.photos import FORMATS
from touchpoint.outbox.models import MessageStatus, OutboxMessage

PHOTO_TYPES = frozenset(content_type for content_type, _ in FORMATS.values())


@dataclass(frozen=True)
class ConversationItem:
    at: datetime
    from_customer: bool
    subject: str
    text: str  # empty for an automated touch point, which is listed by its subject
    automated: bool
    from_person: bool = False  # written by a member of staff (not a notice or a touch point)
    photos: list[InboundAttachment] = field(default_factory=list)
    by_email: bool = False  # the customer's email, its words left out (see ``with_email``)


def conversation_of(*, case: Case, limit: int = 30, with_email: bool = True) -> list[ConversationItem]:
    """The customer's messages on ``case`` (email or page) and ours to them, oldest first: the
    latest ``limit`` of each. Two queries and one for the photos, however long the conversation.

    ``with_email=False`` is for a page reached by a link that proves nothing about the customer's
    address (the one handed to whoever filled in the order form): the emails from the address are
    listed without their subject, words or photos, and ours by their subject only, so that someone
    who ordered with another person's address can't read that person's mail."""
    inbound = list(
        InboundMessage.objects.filter(case=case, kind__in=(Kind.REPLY, Kind.NEW))
        .defer("raw")  # the message as received (photos and all) is kept, never shown here
        .prefetch_related("attachments")
        .order_by("-received_at", "-id")[:limit]
    )
    outbound = list(
        OutboxMessage.objects.filter(case=case)
        .exclude(status=MessageStatus.CANCELLED)
        .only("created_at", "subject", "body_text", "touchpoint", "headers")
        .order_by("-created_at", "-id")[:limit]
    )
    items = [
        ConversationItem(
            at=m.received_at,
            from_customer=True,
            subject=m.subject,
            text=(m.reply_text or m.text).strip(),
            automated=False,
            photos=[a for a in m.attachments.all() if a.content_type in PHOTO_TYPES],
        )
        if with_email or m.source == Source.PORTAL
        else ConversationItem(at=m.received_at, from_customer=True, subject="", text="", automated=False, by_email=True)
        for m in inbound
    ]
    items += [
        ConversationItem(
            at=m.created_at,
            from_customer=False,
            subject=m.subject,
            text="" if m.touchpoint or not with_email else m.body_text.strip(),
            automated=bool(m.touchpoint) or not with_email,
            from_person=isinstance(m.headers, dict) and m.headers.get("Auto-Submitted") == "no",
        )
        for m in outbound
    ]
    return sorted(items, key=lambda item: item.at)


def case_photo(*, case: Case, photo_id: int, with_email: bool = True) -> InboundAttachment | None:
    """A photo the customer sent on ``case`` (by email or on the page; on the page only, with
    ``with_email=False``, as in :func:`conversation_of`); None for anything else, including another
    case's photo."""
    photos = InboundAttachment.objects.filter(pk=photo_id, message__case=case, content_type__in=PHOTO_TYPES)
    if not with_email:
        photos = photos.filter(message__source=Source.PORTAL)
    return photos.select_related("message").first()
