"""Reading one MIME part: its content type, parameters, charset, decoded bytes and text, and the
stdlib's defects said as sentences."""

from __future__ import annotations

import re
from email import policy
from email.message import Message

from touchpoint.mail.parse.collector import Collector
from touchpoint.mail.parse.decoding import charset_of, decode_bytes


def part_bytes(part: Message, col: Collector) -> bytes:
    """The decoded payload of a leaf part."""
    try:
        payload = part.get_payload(decode=True)
    except Exception:
        col.defect("A part's transfer encoding could not be decoded.")
        raw = part.get_payload()
        return raw.encode("utf-8", "replace") if isinstance(raw, str) else b""
    if isinstance(payload, bytes):
        for defect in getattr(part, "defects", []):
            col.defect(defect_words(defect))
        return payload
    return b""


_DEFECT_WORDS = {
    "InvalidBase64PaddingDefect": "Base64 content had wrong padding; it was decoded anyway.",
    "InvalidBase64CharactersDefect": "Base64 content had characters outside base64; they were skipped.",
    "InvalidBase64LengthDefect": "Base64 content had an impossible length; its last bytes may be missing.",
    "CloseBoundaryNotFoundDefect": "A multipart section is not closed; it was read to the end of the message.",
    "StartBoundaryNotFoundDefect": "A multipart section has no starting boundary; it was read as one part.",
    "MultipartInvariantViolationDefect": "The message says it has several parts but has only one.",
    "NoBoundaryInMultipartDefect": "A multipart section declares no boundary; it was read as one part.",
    "MissingHeaderBodySeparatorDefect": "A line among the headers is not a header; the body was taken to start there.",
    "FirstHeaderLineIsContinuationDefect": "The first header line is a continuation line.",
    "MisplacedEnvelopeHeaderDefect": "An mbox 'From ' line appears among the headers.",
    "InvalidMultipartContentTransferEncodingDefect": (
        "A multipart section declares a transfer encoding, which is not allowed."
    ),
    "UndecodableBytesDefect": "Some bytes could not be decoded.",
}


def defect_words(defect: object) -> str:
    """A stdlib ``MessageDefect`` as a sentence (the class name split into words when unknown)."""
    name = type(defect).__name__
    if name in _DEFECT_WORDS:
        return _DEFECT_WORDS[name]
    words = re.sub(r"(?<!^)(?=[A-Z])", " ", name.removesuffix("Defect")).capitalize()
    detail = str(defect).strip()
    return f"{words}: {detail}" if detail else f"{words}."


def part_text(part: Message, col: Collector) -> str:
    return decode_bytes(part_bytes(part, col), charset_of(part), col)


def content_param(part: Message, name: str) -> str:
    """A Content-Type parameter as text ("" when absent or unreadable)."""
    try:
        value = part.get_param(name)
    except Exception:
        return ""
    if isinstance(value, tuple):
        return str(value[2])
    return str(value or "")


def content_type_of(part: Message) -> str:
    try:
        return part.get_content_type().lower()
    except Exception:
        return "application/octet-stream"


def message_bytes(part: Message) -> bytes:
    payload = part.get_payload()
    try:
        if isinstance(payload, list):
            return b"".join(
                item.as_bytes(policy=policy.compat32) if isinstance(item, Message) else b"" for item in payload
            )
        data = part.get_payload(decode=True)
        return data if isinstance(data, bytes) else b""
    except Exception:
        return str(payload).encode("utf-8", "replace")
