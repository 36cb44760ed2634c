"""Write captured mail and texts; read them back for the mailbox pages."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from touchpoint.core.clock import now
from touchpoint.devmail.models import CapturedMail
from touchpoint.inbox.models import InboundMessage
from touchpoint.inbox.texts import message_id_of


def mail_capture(
    *, from_email: str, to: list[str], subject: str, headers: list[tuple[str, str]], body_text: str, body_html: str
) -> CapturedMail:
    """Keep one outgoing message, with the tone and reason of the outbox message it came from."""
    from touchpoint.outbox.models import OutboxMessage

    message_id = next((value for name, value in headers if name.lower() == "message-id"), "").strip()
    source = (
        OutboxMessage.objects.filter(**{"headers__Message-ID": message_id}).select_related("case").first()
        if message_id
        else None
    )
    return CapturedMail.objects.create(
        captured_at=now(),
        from_email=from_email[:300],
        to=", ".join(to)[:1000],
        subject=subject[:300],
        message_id=message_id[:300],
        headers=[[name, value] for name, value in headers],
        body_text=body_text,
        body_html=body_html,
        tone=source.tone if source else "",
        tone_reason=source.tone_reason if source else "",
        case_reference=source.case.reference if source and source.case else "",
    )


def text_capture(*, from_number: str, to: str, body: str, headers: list[tuple[str, str]] | None = None) -> CapturedMail:
    """Keep one outgoing text, with the subject, tone and case of the outbox message it came from
    (the text being sent to ``to`` with ``body`` under a worker's lease)."""
    from touchpoint.outbox.models import OutboxMessage

    source = (
        OutboxMessage.objects.filter(channel="sms", recipient=to, body_text=body, status="pending")
        .exclude(lease_owner="")
        .select_related("case")
        .order_by("-id")
        .first()
    )
    return CapturedMail.objects.create(
        captured_at=now(),
        channel="sms",
        from_email=from_number[:300],
        to=to[:1000],
        subject=(source.subject if source else "")[:300],
        body_text=body,
        headers=headers or [],
        tone=source.tone if source else "",
        tone_reason=source.tone_reason if source else "",
        case_reference=source.case.reference if source and source.case else "",
    )


def mail_list(*, limit: int = 200) -> QuerySet[CapturedMail]:
    """The newest captured mail first, without the bodies."""
    return CapturedMail.objects.defer("body_text", "body_html", "headers")[:limit]


@dataclass(frozen=True)
class ReplyFate:
    """What the shop made of a reply sent from the dev mailbox's phone."""

    words: str
    keyword: str  # "stop", "start", "help" or "" (words for a person)
    case_reference: str  # the case it joined, if one
    task: bool  # a person was given it to answer or sort out


def reply_fate(sid: str) -> ReplyFate | None:
    """The stored text with Twilio's ``sid``, if the shop has it."""
    if not (sid.isascii() and sid.isalnum() and len(sid) <= 64):
        return None
    message = InboundMessage.objects.filter(message_id=message_id_of(sid)).select_related("case").first()
    if message is None:
        return None
    return ReplyFate(
        words=message.text,
        keyword=message.action.removeprefix("sms:") if message.action.startswith("sms:") else "",
        case_reference=message.case.reference if message.case is not None else "",
        task=message.task_id is not None,
    )
