"""What parsing gives: a frozen ``ParsedMail``, its accepted and refused attachments, and the
file types accepted by default."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

DEFAULT_ALLOWED_TYPES: frozenset[str] = frozenset(
    {
        "image/jpeg",
        "image/png",
        "image/gif",
        "image/webp",
        "image/heic",
        "application/pdf",
        "text/plain",
    }
)


@dataclass(frozen=True)
class Attachment:
    """A part we accepted: decoded bytes plus what the customer's mail said about them."""

    filename: str
    content_type: str
    size: int
    data: bytes
    content_id: str | None
    inline: bool


@dataclass(frozen=True)
class RejectedAttachment:
    """A part we refused; ``reason`` is a sentence for the customer."""

    filename: str
    content_type: str
    size: int
    reason: str


@dataclass(frozen=True)
class ParsedMail:
    """Everything the inbox needs from one inbound message, as plain data."""

    message_id: str | None
    in_reply_to: tuple[str, ...]
    references: tuple[str, ...]
    from_email: str
    from_name: str
    to: tuple[str, ...]
    cc: tuple[str, ...]
    reply_to: tuple[str, ...]
    subject: str
    date: datetime | None
    text: str
    html: str | None
    reply_text: str
    attachments: tuple[Attachment, ...]
    rejected: tuple[RejectedAttachment, ...]
    auto_submitted: bool
    is_bounce: bool
    bounced_recipients: tuple[str, ...]
    # The Message-IDs of the mail a bounce returns (its copy, or quoted in its text): the proof a
    # bounce is about a message we sent. Empty for anything that is not a bounce.
    returned_message_ids: tuple[str, ...]
    defects: tuple[str, ...]
