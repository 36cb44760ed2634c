"""Inbound mail parsing: raw RFC 5322 bytes in, a frozen ``ParsedMail`` out.

Why it is built this way:

* ``parse_message`` never raises. A customer's mail that we cannot read must still reach a
  person, so every step (headers, charsets, transfer encodings, nested messages) degrades to a
  best effort and records what went wrong in ``defects``, in words.
* The stdlib ``email`` package with ``policy.default`` does the MIME work (it already handles
  base64, quoted-printable, ``x-uuencode`` and RFC 2047/2231). Header values are read through a
  fallback chain because ``policy.default`` raises on some malformed headers when they are read.
* Attachments are checked against an allow-list of types, a size limit and an executable sniff
  (the declared type of a file is the sender's claim, its first bytes are not), and each
  refusal carries a sentence the customer can read in our answer.
* HTML is kept only sanitised (nh3) and is also turned into text when the mail had no plain part."""

from __future__ import annotations

from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import parsedate_to_datetime

from touchpoint.mail.html import html_to_text, sanitise_html
from touchpoint.mail.parse.addressing import find_reference, reply_token
from touchpoint.mail.parse.bounces import (
    BOUNCE_SENDER,
    BOUNCE_SUBJECT,
    bounced_in_text,
    is_auto_submitted,
    returned_ids_in_text,
)
from touchpoint.mail.parse.collector import Collector
from touchpoint.mail.parse.decoding import (
    declared_charsets,
    header_addresses,
    header_message_ids,
    header_text,
    repair_header_block,
)
from touchpoint.mail.parse.mime import content_param, content_type_of, defect_words
from touchpoint.mail.parse.parsed import DEFAULT_ALLOWED_TYPES, Attachment, ParsedMail, RejectedAttachment
from touchpoint.mail.parse.tree import walk_message
from touchpoint.mail.reply import strip_reply

__all__ = [
    "DEFAULT_ALLOWED_TYPES",
    "Attachment",
    "ParsedMail",
    "RejectedAttachment",
    "find_reference",
    "parse_message",
    "reply_token",
    "strip_reply",
]


def _empty(defects: list[str]) -> ParsedMail:
    return ParsedMail(
        message_id=None,
        in_reply_to=(),
        references=(),
        from_email="",
        from_name="",
        to=(),
        cc=(),
        reply_to=(),
        subject="",
        date=None,
        text="",
        html=None,
        reply_text="",
        attachments=(),
        rejected=(),
        auto_submitted=False,
        is_bounce=False,
        bounced_recipients=(),
        returned_message_ids=(),
        defects=tuple(defects),
    )


def parse_message(
    raw: bytes,
    *,
    max_attachment_bytes: int = 10 * 1024 * 1024,
    allowed_types: frozenset[str] = DEFAULT_ALLOWED_TYPES,
) -> ParsedMail:
    """Parse one raw message. Never raises: what could not be read is listed in ``defects``."""
    try:
        return _parse(raw, max_attachment_bytes=max_attachment_bytes, allowed_types=allowed_types)
    except RecursionError:
        return _empty(["The message nests too deeply to be parsed."])
    except Exception as error:  # the promise: a mail always becomes data
        return _empty([f"The message could not be parsed ({type(error).__name__}: {error})."])


def _parse(raw: bytes, *, max_attachment_bytes: int, allowed_types: frozenset[str]) -> ParsedMail:
    col = Collector(max_bytes=max_attachment_bytes, allowed=allowed_types)
    data = bytes(raw)
    if not data.strip():
        return _empty(["The message is empty."])
    envelope_sender = ""
    if data.startswith(b"From ") and not data.startswith(b"From: "):
        newline = data.find(b"\n")
        envelope = data[5:newline].decode("ascii", "replace").split()
        envelope_sender = envelope[0].lower() if envelope and "@" in envelope[0] else ""
        data = data[newline + 1 :] if newline >= 0 else b""
    data = repair_header_block(data, col)
    msg: EmailMessage = BytesParser(policy=policy.default).parsebytes(data)
    for defect in msg.defects:
        col.defect(defect_words(defect))
    if not msg.keys():
        col.defect("The message has no headers.")

    col.hint_charsets = declared_charsets(msg)
    senders = header_addresses(msg, "From", col)
    if not senders:
        col.defect("The message has no sender address in From.")
        senders = header_addresses(msg, "Sender", col) or header_addresses(msg, "Reply-To", col)
        if not senders and envelope_sender:
            senders = [("", envelope_sender)]
    from_name, from_email = senders[0] if senders else ("", "")
    subject = header_text(msg, "Subject", col)

    date: datetime | None = None
    date_text = header_text(msg, "Date", col).strip()
    if date_text:
        try:
            date = parsedate_to_datetime(date_text)
        except Exception:
            col.defect(f"The date {date_text!r} could not be read.")
        if date is not None and date.tzinfo is None:
            col.defect("The date has no time zone.")
            date = None

    try:
        walk_message(msg, col, 0)
    except RecursionError:
        col.defect("The message nests parts too deeply; the rest was ignored.")

    if col.more_text and col.text is not None:
        col.text = "\n\n".join([col.text.rstrip("\n"), *(item.rstrip("\n") for item in col.more_text)])
    if col.more_html and col.html is not None:
        col.html = "".join([col.html, *col.more_html])
    html = sanitise_html(col.html) if col.html is not None else None
    if col.text is not None and col.text.strip():
        text = col.text
        reply_source = text
    elif col.html is not None:
        text = html_to_text(col.html)
        reply_source = html_to_text(col.html, mark_quotes=True)
    else:
        text = col.text or ""
        reply_source = text
    text = text.replace("\r\n", "\n").replace("\r", "\n")

    to = tuple(address for _, address in header_addresses(msg, "To", col))
    cc = tuple(address for _, address in header_addresses(msg, "Cc", col))
    reply_to = tuple(address for _, address in header_addresses(msg, "Reply-To", col))

    is_dsn = (
        content_type_of(msg) == "multipart/report" and content_param(msg, "report-type").lower() == "delivery-status"
    )
    is_bounce = is_dsn or col.seen_report
    if not is_bounce and (BOUNCE_SENDER.match(from_email) or from_email.startswith("mailer-daemon")):
        is_bounce = bool(BOUNCE_SUBJECT.search(subject)) or "delivery" in text.lower()[:2000]
    bounced: list[str] = list(col.dsn_recipients)
    if is_bounce and not bounced and not is_dsn:
        bounced = bounced_in_text(text[:5000], {from_email, *to, *cc})
    returned = (col.returned_ids or returned_ids_in_text(text[:20000])) if is_bounce else []
    auto = is_auto_submitted(msg, subject, col) or col.seen_receipt

    return ParsedMail(
        message_id=(header_message_ids(header_text(msg, "Message-ID", col)) or (None,))[0],
        in_reply_to=header_message_ids(header_text(msg, "In-Reply-To", col)),
        references=header_message_ids(header_text(msg, "References", col)),
        from_email=from_email,
        from_name=from_name,
        to=to,
        cc=cc,
        reply_to=reply_to,
        subject=subject,
        date=date,
        text=text,
        html=html,
        reply_text=strip_reply(reply_source),
        attachments=tuple(col.attachments),
        rejected=tuple(col.rejected),
        auto_submitted=auto,
        is_bounce=is_bounce,
        bounced_recipients=tuple(bounced),
        returned_message_ids=tuple(returned),
        defects=tuple(col.defects),
    )
