"""The walk through the MIME tree: which part is the body, which are attachments, what a nested
message or a delivery report adds."""

from __future__ import annotations

import re
from email.message import Message

from touchpoint.mail.parse.attachments import (
    default_filename,
    described_filename,
    keep_attachment,
    part_filename,
    with_uuencoded,
)
from touchpoint.mail.parse.bounces import read_delivery_status, returned_id
from touchpoint.mail.parse.collector import Collector
from touchpoint.mail.parse.decoding import header_text
from touchpoint.mail.parse.mime import content_param, content_type_of, message_bytes, part_bytes, part_text

MAX_PARTS = 1000  # no real mail has more; a bomb of empty parts must not cost minutes


def walk_message(part: Message, col: Collector, depth: int, *, nested: bool = False) -> None:
    """Depth-first through the MIME tree, picking the body and the attachments.

    ``nested`` is set inside an attached message (a forward, a bounce's copy of our mail):
    its files are still attachments, but its text only becomes the body when the outer
    message had none.
    """
    if depth > 30:
        col.defect("The message nests parts too deeply; the deepest were ignored.")
        return
    col.parts += 1
    if col.parts > MAX_PARTS:
        col.defect(f"The message has more than {MAX_PARTS} parts; the rest were ignored.")
        return
    content_type = content_type_of(part)
    try:
        disposition = (part.get_content_disposition() or "").lower()
    except Exception:
        disposition = ""
    filename = part_filename(part, col)

    if content_type == "message/delivery-status":
        if not nested:
            # A DSN that is this message's own (some MTAs wrap it in multipart/mixed). Inside a
            # forward, it is a customer showing us a bounce, and their address is not failing.
            col.seen_report = True
            read_delivery_status(part, col)
        data = message_bytes(part)
        keep_attachment(
            col,
            filename=filename or described_filename(part, ".txt", col) or "delivery-status.txt",
            content_type="text/plain",
            data=data,
            content_id=None,
            inline=False,
        )
        return

    if content_type in ("message/rfc822", "message/global", "text/rfc822-headers"):
        data = message_bytes(part)
        if not nested:  # the copy a bounce returns of the mail that failed: whose it was
            returned_id(part, data, col)
        if not filename:
            inner_subject = ""
            inner = part.get_payload()
            if isinstance(inner, list) and inner and isinstance(inner[0], Message):
                inner_subject = header_text(inner[0], "Subject", col).strip()
            filename = (
                f"{inner_subject}.eml" if inner_subject else described_filename(part, ".eml", col) or "message.eml"
            )
        keep_attachment(
            col,
            filename=filename,
            content_type="message/rfc822",
            data=data,
            content_id=None,
            inline=False,
        )
        inner_messages = part.get_payload()
        if isinstance(inner_messages, list):
            for inner_message in inner_messages:
                if isinstance(inner_message, Message):
                    walk_message(inner_message, col, depth + 1, nested=True)
        return

    if part.is_multipart():
        if content_type == "multipart/report" and not nested:
            report_type = str(content_param(part, "report-type")).lower()
            col.seen_report = col.seen_report or report_type == "delivery-status"
            col.seen_receipt = col.seen_receipt or report_type == "disposition-notification"
        payload = part.get_payload()
        if isinstance(payload, list):
            if content_type == "multipart/alternative":
                # Take the body from the alternative; further alternatives are not attachments.
                for child in payload:
                    if isinstance(child, Message):
                        _walk_alternative(child, col, depth + 1, nested=nested)
                return
            for child in payload:
                if isinstance(child, Message):
                    walk_message(child, col, depth + 1, nested=nested)
        return

    is_attachment = disposition == "attachment" or (bool(filename) and content_type not in ("text/plain", "text/html"))
    if not is_attachment and content_type == "text/plain" and col.text is None:
        col.text = with_uuencoded(part_text(part, col), col)
        return
    if not is_attachment and content_type == "text/html" and col.html is None:
        col.html = part_text(part, col)
        return
    if not is_attachment and content_type in ("text/plain", "text/html") and nested:
        if col.text is None and col.html is None:
            if content_type == "text/plain":
                col.text = part_text(part, col)
            else:
                col.html = part_text(part, col)
        return
    if not is_attachment and content_type in ("text/plain", "text/html") and disposition != "inline":
        # A second body part (some clients split the text around an image): append it.
        extra = part_text(part, col)
        if content_type == "text/plain" and col.text is not None:
            col.more_text.append(extra)
        elif content_type == "text/html" and col.html is not None:
            col.more_html.append(extra)
        return
    data = part_bytes(part, col)
    content_id = header_text(part, "Content-ID", col).strip() or None
    if not filename and content_id:
        local = content_id.strip("<>").partition("@")[0]
        if re.fullmatch(r"[\w .()-]{1,80}\.[A-Za-z0-9]{2,5}", local):
            filename = local  # Outlook names inline images in their Content-ID ("image001.jpg@…")
    if not filename:
        filename = default_filename(content_type)
    keep_attachment(
        col,
        filename=filename,
        content_type=content_type,
        data=data,
        content_id=content_id,
        inline=disposition == "inline" or (disposition == "" and content_id is not None),
    )


def _walk_alternative(part: Message, col: Collector, depth: int, *, nested: bool = False) -> None:
    content_type = content_type_of(part)
    if nested and content_type in ("text/plain", "text/html") and (col.text is not None or col.html is not None):
        return
    if part.is_multipart():
        walk_message(part, col, depth, nested=nested)
    elif content_type == "text/plain":
        if col.text is None:
            col.text = with_uuencoded(part_text(part, col), col)
    elif content_type == "text/html":
        if col.html is None:
            col.html = part_text(part, col)
    else:
        walk_message(part, col, depth, nested=nested)
