"""What the walk through one message gathers as it goes: the body, the attachments, the defects."""

from __future__ import annotations

from dataclasses import dataclass, field

from touchpoint.mail.parse.parsed import Attachment, RejectedAttachment


@dataclass
class Collector:
    max_bytes: int
    allowed: frozenset[str]
    defects: list[str] = field(default_factory=list)
    text: str | None = None
    html: str | None = None
    more_text: list[str] = field(default_factory=list)  # later body parts, joined once at the end
    more_html: list[str] = field(default_factory=list)
    names: set[str] = field(default_factory=set)
    parts: int = 0
    attachments: list[Attachment] = field(default_factory=list)
    rejected: list[RejectedAttachment] = field(default_factory=list)
    dsn_recipients: list[str] = field(default_factory=list)
    seen_report: bool = False  # a delivery-status report of this message's own (not a forwarded one)
    returned_ids: list[str] = field(default_factory=list)  # Message-IDs of the mail a bounce returns
    seen_receipt: bool = False  # a read receipt (RFC 8098 disposition notification): sent by software
    hint_charsets: tuple[str, ...] = ()  # the message's own charsets, for undeclared 8-bit headers

    def defect(self, words: str) -> None:
        if words not in self.defects and len(self.defects) < 50:
            self.defects.append(words)
