"""Reads for pages that show a case's conversation or its customer's photos."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from touchpoint.cases.models import Case
from touchpoint.inbox.models import InboundAttachment, InboundMessage, Kind
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


def conversation_of(*, case: Case, limit: int = 30) -> list[ConversationItem]:
    """The customer's messages on ``case`` (email or page) and ours to them, oldest first: the
    latest ``limit`` of each. Two queries and one for the photos, however long the conversation."""
    inbound = list(
        InboundMessage.objects.filter(case=case, kind__in=(Kind.REPLY, Kind.NEW))
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
        for m in inbound
    ]
    items += [
        ConversationItem(
            at=m.created_at,
            from_customer=False,
            subject=m.subject,
            text="" if m.touchpoint else m.body_text.strip(),
            automated=bool(m.touchpoint),
            from_person=isinstance(m.headers, dict) and m.headers.get("Auto-Submitted") == "no",
        )
        for m in outbound
    ]
    return sorted(items, key=lambda item: item.at)


def case_photo(*, case: Case, photo_id: int) -> InboundAttachment | None:
    """A photo the customer sent on ``case`` (by email or on the page); None for anything else,
    including another case's photo."""
    return (
        InboundAttachment.objects.filter(pk=photo_id, message__case=case, content_type__in=PHOTO_TYPES)
        .select_related("message")
        .first()
    )
