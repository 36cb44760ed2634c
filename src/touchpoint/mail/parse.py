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
* HTML is kept only sanitised (nh3) and is also turned into text when the mail had no plain part.
"""

from __future__ import annotations

import binascii
import codecs
import mimetypes
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from email import policy
from email.header import decode_header
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime

from touchpoint.core.ids import ALPHABET, REFERENCE_LENGTH
from touchpoint.mail.html import html_to_text, sanitise_html
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

_EXECUTABLE_EXTENSIONS = frozenset(
    {
        "exe", "com", "bat", "cmd", "scr", "pif", "msi", "msp", "dll", "cpl", "js", "jse", "vbs", "vbe",
        "wsf", "wsh", "ps1", "psm1", "jar", "hta", "lnk", "reg", "sh", "app", "apk", "dmg", "iso", "elf",
    }
)  # fmt: skip
_EXECUTABLE_MAGIC = (b"MZ", b"\x7fELF", b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe", b"\xca\xfe\xba\xbe", b"#!")


MAX_PARTS = 1000  # no real mail has more; a bomb of empty parts must not cost minutes


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
    defects: tuple[str, ...]


# --------------------------------------------------------------------------------------------
# Small public helpers


# A case reference as ``touchpoint.core.ids`` makes it: "TP-" and five Crockford base32
# characters. O, I and L are accepted for 0, 1 and 1, as people retype them; a word such as
# "TP-Link" does not match, because the length is exact.
_REFERENCE = re.compile(
    rf"(?<![A-Za-z0-9])TP-([0-9A-Za-z]{{{REFERENCE_LENGTH}}})(?![A-Za-z0-9])",
    re.IGNORECASE,
)


def find_reference(subject: str) -> str | None:
    """The first case reference in a subject ("TP-4K7Q9"), normalised to upper case, or None."""
    for match in _REFERENCE.finditer(subject or ""):
        code = match.group(1).upper().translate(str.maketrans("OIL", "011"))
        if all(char in ALPHABET for char in code):
            return f"TP-{code}"
    return None


_TOKEN = re.compile(r"^reply\+([0-9a-f]{6,128})$", re.IGNORECASE)


def reply_token(addresses: Iterable[str], domain: str) -> str | None:
    """The token of the first ``reply+<token>@domain`` address (lower-case hex), or None.

    Addresses may be bare or with a display name; the domain is compared case-insensitively.
    """
    wanted = domain.strip().lower().lstrip("@")
    for raw in addresses:
        for _, address in getaddresses([raw or ""]):
            local, _, host = address.strip().rpartition("@")
            if host.lower() != wanted:
                continue
            match = _TOKEN.match(local)
            if match:
                return match.group(1).lower()
    return None


# --------------------------------------------------------------------------------------------
# Parsing


@dataclass
class _Collector:
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
    seen_receipt: bool = False  # a read receipt (RFC 8098 disposition notification): sent by software
    hint_charsets: tuple[str, ...] = ()  # the message's own charsets, for undeclared 8-bit headers

    def defect(self, words: str) -> None:
        if words not in self.defects and len(self.defects) < 50:
            self.defects.append(words)


def _header(msg: Message, name: str, col: _Collector) -> str:
    """A header as decoded text, whatever state it is in ("" when absent).

    Read from the raw value and decoded here rather than by ``policy.default``: the policy
    raises on some malformed headers and decodes unknown or mislabelled charsets (GB2312 that
    is really GBK, ISO-2022-JP with vendor extensions) to replacement characters.
    """
    raw = _raw_header(msg, name)
    if raw is None:
        return ""
    raw = re.sub(r"\r?\n", "", raw).rstrip()  # RFC 5322 unfolding: the line break goes, the blank stays
    if any("\udc80" <= char <= "\udcff" for char in raw):
        # 8-bit bytes in a header (no RFC 2047): the parser kept them as surrogate escapes.
        col.defect(f"The {name} header has unencoded 8-bit characters.")
        raw = _decode_undeclared(raw.encode("ascii", "surrogateescape"), col)
    if "=?" in raw:
        return _decode_words(raw, col)
    return raw


def _raw_header(msg: Message, name: str) -> str | None:
    wanted = name.lower()
    for key, value in msg.raw_items():
        if key.lower() == wanted:
            return value if isinstance(value, str) else str(value)
    return None


def _decode_words(raw: str, col: _Collector) -> str:
    """RFC 2047 encoded words, decoded leniently with our charset fallbacks."""
    try:
        parts = decode_header(raw)
    except Exception:
        col.defect("A header had encoded words that could not be decoded.")
        return raw
    out: list[str] = []
    for chunk, charset in parts:
        if isinstance(chunk, bytes):
            out.append(_decode_bytes(chunk, charset, col))
        else:
            out.append(chunk)
    return "".join(out)


_CHARSET_ALIASES: dict[str, str] = {
    "utf8": "utf-8",
    "unicode-1-1-utf-7": "utf-7",
    "ks_c_5601-1987": "cp949",
    "gb2312": "gb18030",
    "iso-gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "iso-2022-jp": "iso2022_jp_ext",
    "shift_jis": "cp932",
    "x-sjis": "cp932",
}


def _decode_bytes(data: bytes, charset: str | None, col: _Collector) -> str:
    """Bytes to text: the declared charset if it exists, else UTF-8, else Windows-1252."""
    name = (charset or "").strip().strip('"').lower()
    name = _CHARSET_ALIASES.get(name, name)
    if name in ("", "us-ascii", "ascii", "unknown-8bit", "x-unknown", "default", "8bit", "7bit"):
        name = ""
    if name:
        try:
            codecs.lookup(name)
        except LookupError:
            col.defect(f"Unknown charset {charset!r}; the text was decoded as UTF-8 or Windows-1252.")
            name = ""
    if name:
        if name in ("iso-8859-1", "latin-1", "latin1"):
            name = "cp1252"  # what senders mean by it, as in the WHATWG encoding standard
        try:
            return data.decode(name)
        except UnicodeDecodeError:
            pass
        except Exception:
            col.defect(f"Text in charset {charset!r} could not be decoded.")
        others = _MISLABELLED.get(name, ())
        if name.startswith("iso2022"):
            if name.endswith(("jp", "jp_ext")) and not any(byte >= 0x80 for byte in data):
                return _decode_iso2022jp_nec(data)
            others = (*others, "cp932", "euc_jp") if "jp" in name else others
        else:
            others = (*others, "utf-8")
        for other in others:
            try:
                decoded = data.decode(other)
            except UnicodeDecodeError:
                continue
            col.defect(f"Text that claims to be {charset} is {other}.")
            return decoded
        col.defect(f"Text that claims to be {charset} is not; undecodable bytes were replaced.")
        try:
            return data.decode(name, errors="replace")
        except Exception:
            return data.decode("cp1252", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _decode_iso2022jp_nec(data: bytes) -> str:
    """ISO-2022-JP with the NEC and IBM extensions (Microsoft's CP50220), via Shift-JIS (cp932).

    Japanese mail clients put characters such as ① (NEC row 13) in ISO-2022-JP, which Python's
    strict codec refuses. Each two-byte JIS X 0208 pair maps arithmetically to Shift-JIS.
    """
    out = bytearray()
    mode = "ascii"
    index = 0
    while index < len(data):
        if data[index] == 0x1B and index + 2 < len(data):
            sequence = data[index + 1 : index + 3]
            if sequence in (b"$B", b"$@"):
                mode, index = "jis", index + 3
                continue
            if sequence in (b"(B", b"(J"):
                mode, index = "ascii", index + 3
                continue
            if sequence == b"(I":
                mode, index = "kana", index + 3
                continue
        byte = data[index]
        if mode == "jis" and byte not in (0x0A, 0x0D) and index + 1 < len(data):
            first, second = byte, data[index + 1]
            row = (first + 1) // 2 + (0x70 if first <= 0x5E else 0xB0)
            cell = second + (0x1F if second <= 0x5F else 0x20) if first % 2 else second + 0x7E
            out += bytes((row & 0xFF, cell & 0xFF))
            index += 2
            continue
        out.append(byte + 0x80 if mode == "kana" and 0x21 <= byte <= 0x5F else byte)
        index += 1
    return bytes(out).decode("cp932", errors="replace")


# Charsets that senders get wrong, and what their bytes usually turn out to be.
_MISLABELLED: dict[str, tuple[str, ...]] = {
    "iso2022_jp_ext": ("iso2022_jp_2004", "iso2022_jp_2"),
    "cp932": ("euc_jp",),
    "euc-jp": ("cp932",),
    "gb18030": ("big5hkscs",),
    "big5": ("big5hkscs", "gb18030"),
    "us-ascii": ("cp1252",),
}


def _addresses(msg: Message, name: str, col: _Collector) -> list[tuple[str, str]]:
    """(display name, lower-case address) pairs from an address header.

    The list is split before encoded words are decoded: a decoded name may hold a comma
    ("Müller, Bernd") that would otherwise split one address in two.
    """
    raw = _raw_header(msg, name)
    if raw is None:
        return []
    raw = re.sub(r"\r?\n[ \t]*", " ", raw)
    if any("\udc80" <= char <= "\udcff" for char in raw):
        raw = _decode_undeclared(raw.encode("ascii", "surrogateescape"), col)
    pairs: list[tuple[str, str]] = []
    try:
        parsed = getaddresses([raw])
    except Exception:
        col.defect(f"The {name} header is not a list of addresses.")
        parsed = []
    for display, address in parsed:
        address = address.strip().strip("<>").strip()
        if not address or "@" not in address:
            if address:
                col.defect(f"The {name} header holds {address!r}, which is not an email address.")
            continue
        shown = _decode_words(display, col) if "=?" in display else display
        pairs.append((shown.strip(), address.lower()))
    if not pairs:
        found = re.findall(r"[\w.+'=-]+@[\w-]+(?:\.[\w-]+)+", raw)
        pairs = [("", address.lower()) for address in found]
    return pairs


_MSGID = re.compile(r"<([^<>\s]+)>")


def _message_ids(value: str) -> tuple[str, ...]:
    found = [f"<{item}>" for item in _MSGID.findall(value)]
    if not found:
        found = [f"<{token.strip('<>')}>" for token in value.split() if "@" in token]
    unique: list[str] = []
    for item in found:
        if item not in unique:
            unique.append(item)
    return tuple(unique)


def _part_bytes(part: Message, col: _Collector) -> bytes:
    """The decoded payload of a leaf part."""
    try:
        payload = part.get_payload(decode=True)
    except Exception:
        col.defect("A part's transfer encoding could not be decoded.")
        raw = part.get_payload()
        return raw.encode("utf-8", "replace") if isinstance(raw, str) else b""
    if isinstance(payload, bytes):
        for defect in getattr(part, "defects", []):
            col.defect(_defect_words(defect))
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


def _defect_words(defect: object) -> str:
    """A stdlib ``MessageDefect`` as a sentence (the class name split into words when unknown)."""
    name = type(defect).__name__
    if name in _DEFECT_WORDS:
        return _DEFECT_WORDS[name]
    words = re.sub(r"(?<!^)(?=[A-Z])", " ", name.removesuffix("Defect")).capitalize()
    detail = str(defect).strip()
    return f"{words}: {detail}" if detail else f"{words}."


def _part_text(part: Message, col: _Collector) -> str:
    return _decode_bytes(_part_bytes(part, col), _charset(part), col)


def _param(part: Message, name: str) -> str:
    """A Content-Type parameter as text ("" when absent or unreadable)."""
    try:
        value = part.get_param(name)
    except Exception:
        return ""
    if isinstance(value, tuple):
        return str(value[2])
    return str(value or "")


def _charset(part: Message) -> str | None:
    try:
        value = part.get_param("charset")
        return value if isinstance(value, str) else None  # RFC 2231 tuples carry no usable charset here
    except Exception:
        return None


def _filename(part: Message, col: _Collector) -> str:
    try:
        name = part.get_filename()
    except Exception:
        name = None
        col.defect("A part's filename could not be read.")
    if not name:
        try:
            raw_name = part.get_param("name")
        except Exception:
            raw_name = None
        if isinstance(raw_name, tuple):
            name = _decode_bytes(str(raw_name[2]).encode("latin-1", "replace"), raw_name[0], col)
        elif raw_name:
            name = str(raw_name)
    if name and "=?" in name:
        name = _decode_words(name, col)
    if name and ("\ufffd" in name or any("\udc80" <= char <= "\udcff" for char in name)):
        # Unencoded 8-bit filename: read it again from the raw header with the message's charset.
        for header in ("Content-Disposition", "Content-Type"):
            found = re.search(r'(?:file)?name\s*=\s*"?([^";]+)', _header(part, header, col), re.IGNORECASE)
            if found:
                name = found.group(1)
                break
    return (name or "").replace("\r", "").replace("\n", "").strip()


def _content_type(part: Message) -> str:
    try:
        return part.get_content_type().lower()
    except Exception:
        return "application/octet-stream"


def _is_executable(filename: str, data: bytes) -> bool:
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension in _EXECUTABLE_EXTENSIONS:
        return True
    return data.startswith(_EXECUTABLE_MAGIC[:-1]) or (data.startswith(b"#!") and b"\n" in data[:200])


def _human_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size} bytes"


def _keep_attachment(
    col: _Collector, *, filename: str, content_type: str, data: bytes, content_id: str | None, inline: bool
) -> None:
    size = len(data)
    filename = _unique_filename(filename, col)
    shown = filename or "an unnamed file"
    if _is_executable(filename, data):
        reason = f"We can't accept {shown} because it is a program, and programs can carry viruses."
    elif content_type not in col.allowed:
        reason = (
            f"We can't accept {shown} ({content_type}): please send photos (JPEG, PNG, GIF, WebP, HEIC), "
            "PDF documents or plain text instead."
        )
    elif size > col.max_bytes:
        reason = (
            f"{shown} is {_human_size(size)}, more than our limit of {_human_size(col.max_bytes)}; "
            "please send a smaller file."
        )
    else:
        col.attachments.append(
            Attachment(
                filename=filename,
                content_type=content_type,
                size=size,
                data=data,
                content_id=content_id,
                inline=inline,
            )
        )
        return
    col.rejected.append(RejectedAttachment(filename=filename, content_type=content_type, size=size, reason=reason))


def _walk(part: Message, col: _Collector, depth: int, *, nested: bool = False) -> None:
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
    content_type = _content_type(part)
    try:
        disposition = (part.get_content_disposition() or "").lower()
    except Exception:
        disposition = ""
    filename = _filename(part, col)

    if content_type == "message/delivery-status":
        if not nested:
            # A DSN that is this message's own (some MTAs wrap it in multipart/mixed). Inside a
            # forward, it is a customer showing us a bounce, and their address is not failing.
            col.seen_report = True
            _read_delivery_status(part, col)
        data = _as_bytes_of_message(part)
        _keep_attachment(
            col,
            filename=filename or _described(part, ".txt", col) or "delivery-status.txt",
            content_type="text/plain",
            data=data,
            content_id=None,
            inline=False,
        )
        return

    if content_type in ("message/rfc822", "message/global", "text/rfc822-headers"):
        data = _as_bytes_of_message(part)
        if not filename:
            inner_subject = ""
            inner = part.get_payload()
            if isinstance(inner, list) and inner and isinstance(inner[0], Message):
                inner_subject = _header(inner[0], "Subject", col).strip()
            filename = f"{inner_subject}.eml" if inner_subject else _described(part, ".eml", col) or "message.eml"
        _keep_attachment(
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
                    _walk(inner_message, col, depth + 1, nested=True)
        return

    if part.is_multipart():
        if content_type == "multipart/report" and not nested:
            report_type = str(_param(part, "report-type")).lower()
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
                    _walk(child, col, depth + 1, nested=nested)
        return

    is_attachment = disposition == "attachment" or (bool(filename) and content_type not in ("text/plain", "text/html"))
    if not is_attachment and content_type == "text/plain" and col.text is None:
        col.text = _with_uuencoded(_part_text(part, col), col)
        return
    if not is_attachment and content_type == "text/html" and col.html is None:
        col.html = _part_text(part, col)
        return
    if not is_attachment and content_type in ("text/plain", "text/html") and nested:
        if col.text is None and col.html is None:
            if content_type == "text/plain":
                col.text = _part_text(part, col)
            else:
                col.html = _part_text(part, col)
        return
    if not is_attachment and content_type in ("text/plain", "text/html") and disposition != "inline":
        # A second body part (some clients split the text around an image): append it.
        extra = _part_text(part, col)
        if content_type == "text/plain" and col.text is not None:
            col.more_text.append(extra)
        elif content_type == "text/html" and col.html is not None:
            col.more_html.append(extra)
        return
    data = _part_bytes(part, col)
    content_id = _header(part, "Content-ID", col).strip() or None
    if not filename and content_id:
        local = content_id.strip("<>").partition("@")[0]
        if re.fullmatch(r"[\w .()-]{1,80}\.[A-Za-z0-9]{2,5}", local):
            filename = local  # Outlook names inline images in their Content-ID ("image001.jpg@…")
    if not filename:
        filename = _default_filename(content_type)
    _keep_attachment(
        col,
        filename=filename,
        content_type=content_type,
        data=data,
        content_id=content_id,
        inline=disposition == "inline" or (disposition == "" and content_id is not None),
    )


def _described(part: Message, extension: str, col: _Collector) -> str:
    """A filename from Content-Description ("Delivery report" → "Delivery report.txt")."""
    description = _header(part, "Content-Description", col).strip()
    if description and len(description) <= 80 and "/" not in description:
        return description + extension
    return ""


def _default_filename(content_type: str) -> str:
    """A name for a part that has none, as a person would call it ("image.jpg", "document.html")."""
    extension = {"image/jpeg": ".jpg", "text/plain": ".txt", "text/html": ".html"}.get(content_type)
    if extension is None:
        extension = mimetypes.guess_extension(content_type, strict=False) or ""
    major = content_type.partition("/")[0]
    if major == "image":
        return f"image{extension}"
    if major == "text":
        return f"document{extension}"
    if major in ("video", "audio"):
        return f"{major}{extension}"
    return "file"


def _unique_filename(filename: str, col: _Collector) -> str:
    """``name.ext``, then ``name1.ext``, ``name2.ext``… so that each attachment has its own name."""
    taken = col.names
    if filename not in taken:
        taken.add(filename)
        return filename
    stem, dot, extension = filename.rpartition(".")
    if not dot:
        stem, extension = filename, ""
    for number in range(1, 1000):
        candidate = f"{stem}{number}{dot}{extension}"
        if candidate not in taken:
            taken.add(candidate)
            return candidate
    return filename


def _walk_alternative(part: Message, col: _Collector, depth: int, *, nested: bool = False) -> None:
    content_type = _content_type(part)
    if nested and content_type in ("text/plain", "text/html") and (col.text is not None or col.html is not None):
        return
    if part.is_multipart():
        _walk(part, col, depth, nested=nested)
    elif content_type == "text/plain":
        if col.text is None:
            col.text = _with_uuencoded(_part_text(part, col), col)
    elif content_type == "text/html":
        if col.html is None:
            col.html = _part_text(part, col)
    else:
        _walk(part, col, depth, nested=nested)


def _as_bytes_of_message(part: Message) -> bytes:
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


_UUBLOCK = re.compile(r"^begin [0-7]{3,4} (\S[^\n]*)\n(.*?)^end\s*$", re.MULTILINE | re.DOTALL)


def _with_uuencoded(text: str, col: _Collector) -> str:
    """Pull uuencoded blocks out of a plain-text body as attachments (old Outlook, mailing lists)."""
    if "begin " not in text:
        return text
    normalised = text.replace("\r\n", "\n")

    def take(match: re.Match[str]) -> str:
        name = match.group(1).strip()
        out = bytearray()
        for line in match.group(2).split("\n"):
            if not line or line in ("`", " "):
                continue
            try:
                out += binascii.a2b_uu(line)
            except binascii.Error:
                try:
                    # Workaround for broken uuencoders (as the stdlib's uu module did).
                    nbytes = (((ord(line[0]) - 32) & 63) * 4 + 5) // 3
                    out += binascii.a2b_uu(line[:nbytes])
                except (binascii.Error, IndexError):
                    col.defect(f"The uuencoded file {name} is damaged.")
                    break
        _keep_attachment(
            col, filename=name, content_type=_guess_type(name), data=bytes(out), content_id=None, inline=False
        )
        return ""

    return _UUBLOCK.sub(take, normalised)


def _guess_type(filename: str) -> str:
    guessed, _ = mimetypes.guess_type(filename, strict=False)
    return guessed or "application/octet-stream"


def _read_delivery_status(part: Message, col: _Collector) -> None:
    """Failed recipients from a DSN's per-recipient blocks (RFC 3464).

    Only ``Action: failed`` counts (or a block with no Action): a "delayed" notice says the
    mail is still on its way, so the address must not be marked as failing.
    """
    payload = part.get_payload()
    blocks: list[dict[str, str]] = []
    if isinstance(payload, list):
        for item in payload:
            if isinstance(item, Message):
                blocks.append({key.lower(): str(value) for key, value in item.raw_items()})
    else:
        text = _decode_bytes(_as_bytes_of_message(part), "utf-8", col)
        for chunk in re.split(r"\r?\n\s*\r?\n", text):
            fields = re.findall(r"^([\w-]+):[ \t]*(.*)$", chunk, re.MULTILINE)
            blocks.append({key.lower(): value for key, value in fields})
    for block in blocks:
        action = block.get("action", "failed").strip().lower()
        recipient = block.get("final-recipient") or block.get("original-recipient") or ""
        if not recipient or not action.startswith("failed"):
            continue
        match = re.search(r"<?([^\s<>;]+@[^\s<>;]+)>?\s*$", recipient.strip())
        if match:
            address = match.group(1).lower()
            if address not in col.dsn_recipients:
                col.dsn_recipients.append(address)


# Out-of-office subjects, as the common clients word them. Deliberately narrow: a message we
# take for an auto-reply gets no task, so "Vacation booking" from a customer must not match.
_AUTO_SUBJECT = re.compile(
    r"^\s*(auto(matic|matische)?[ -]?(reply|response|antwort)|out of (the )?office|abwesenheitsnotiz"
    r"|automatische antwort|r[ée]ponse automatique|respuesta autom[áa]tica|risposta automatica"
    r"|automatisch antwoord|autosvar|automatisk svar|i am (currently )?out of (the )?office)\b\s*[:\-(]?",
    re.IGNORECASE,
)
_BOUNCE_SUBJECT = re.compile(
    r"(undeliver(ed|able)|delivery (status notification|failure|has failed)|returned mail|mail delivery failed"
    r"|failure notice|unzustellbar|nicht zustellbar|non remis|delivery notification)",
    re.IGNORECASE,
)
_BOUNCE_SENDER = re.compile(r"^(mailer-daemon|postmaster|mail-daemon|mailerdaemon)@", re.IGNORECASE)
_TEXT_RECIPIENT = re.compile(
    r"(?:<([^\s<>@]+@[^\s<>@]+\.[A-Za-z]{2,})>|\b([\w.+'-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,})\b)"
)


def _auto_submitted(msg: Message, subject: str, col: _Collector) -> bool:
    """RFC 3834 and the headers that predate it, then an out-of-office subject."""
    value = _header(msg, "Auto-Submitted", col).strip().lower()
    if value and not value.startswith("no"):
        return True
    for name in ("X-Autoreply", "X-Autorespond", "X-Autoresponder", "X-Autogenerated"):
        if _raw_header(msg, name) is not None:
            return True
    # Exchange marks its own automatic mail "All"/"OOF"/"AutoReply"; "DR, RN, NRN" alone (no
    # receipts, please) also rides on ordinary mail sent from some systems, so it does not count.
    suppress = _header(msg, "X-Auto-Response-Suppress", col).lower()
    if re.search(r"\b(all|oof|autoreply)\b", suppress):
        return True
    precedence = _header(msg, "Precedence", col).strip().lower()
    if precedence in ("auto_reply", "bulk", "junk", "list"):
        return precedence != "list"
    return bool(_AUTO_SUBJECT.match(subject))


def _find_bounced_in_text(text: str, own: set[str]) -> list[str]:
    found: list[str] = []
    for match in _TEXT_RECIPIENT.finditer(text):
        address = (match.group(1) or match.group(2) or "").lower()
        if address and address not in own and not _BOUNCE_SENDER.match(address) and address not in found:
            found.append(address)
        if len(found) >= 5:
            break
    return found


def _declared_charsets(msg: Message) -> tuple[str, ...]:
    """The charsets the message's parts declare, multi-byte ones first.

    They are the best guess for 8-bit header bytes that declare nothing: a single-byte Latin
    charset decodes anything, so it is tried last.
    """
    found: list[str] = []
    try:
        for part in msg.walk():
            charset = _charset(part)
            if isinstance(charset, str) and charset.lower() not in found:
                found.append(charset.lower())
    except Exception:
        return tuple(found)
    single_byte = ("iso-8859", "windows-125", "cp125", "us-ascii", "ascii", "latin", "utf-8", "utf8")
    return tuple(sorted(found, key=lambda name: name.startswith(single_byte)))


def _decode_undeclared(data: bytes, col: _Collector) -> str:
    """8-bit bytes with no declared charset: UTF-8, else the message's own charsets, else cp1252."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    for charset in col.hint_charsets:
        name = _CHARSET_ALIASES.get(charset, charset)
        if name.startswith(("iso-2022", "iso2022")):
            name = "cp932" if "jp" in name else name
        try:
            return data.decode(name)
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode("cp1252", errors="replace")


_HEADER_LINE = re.compile(rb"^[!-9;-~]+[ \t]*:")


def _repair_header_block(data: bytes, col: _Collector) -> bytes:
    """Mend the two header-block breakages seen in real mail before the parser sees them.

    Leading junk lines ("---- Original email message ----" pasted above the headers) are
    dropped, and a header line that continues without the leading whitespace folding needs
    is re-folded; otherwise the parser would end the headers there and lose From and Subject.
    """
    lines = data.split(b"\n")
    start = 0
    while start < min(len(lines), 3) and lines[start].strip() and not _HEADER_LINE.match(lines[start]):
        start += 1
    if start and start < len(lines) and _HEADER_LINE.match(lines[start]):
        col.defect("Lines before the headers were ignored.")
        lines = lines[start:]
    repaired = False
    for index, line in enumerate(lines):
        if not line.strip(b"\r"):
            break
        if index and not _HEADER_LINE.match(line) and line[:1] not in (b" ", b"\t"):
            lines[index] = b" " + line
            repaired = True
    if repaired:
        col.defect("Some header lines were not folded correctly and were joined to the header before.")
    return b"\n".join(lines)


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
    col = _Collector(max_bytes=max_attachment_bytes, allowed=allowed_types)
    data = bytes(raw)
    if not data.strip():
        return _empty(["The message is empty."])
    envelope_sender = ""
    if data.startswith(b"From ") and not data.startswith(b"From: "):
        newline = data.find(b"\n")
        envelope = data[5:newline].decode("ascii", "replace").split()
        envelope_sender = envelope[0].lower() if envelope and "@" in envelope[0] else ""
        data = data[newline + 1 :] if newline >= 0 else b""
    data = _repair_header_block(data, col)
    msg: EmailMessage = BytesParser(policy=policy.default).parsebytes(data)
    for defect in msg.defects:
        col.defect(_defect_words(defect))
    if not msg.keys():
        col.defect("The message has no headers.")

    col.hint_charsets = _declared_charsets(msg)
    senders = _addresses(msg, "From", col)
    if not senders:
        col.defect("The message has no sender address in From.")
        senders = _addresses(msg, "Sender", col) or _addresses(msg, "Reply-To", col)
        if not senders and envelope_sender:
            senders = [("", envelope_sender)]
    from_name, from_email = senders[0] if senders else ("", "")
    subject = _header(msg, "Subject", col)

    date: datetime | None = None
    date_text = _header(msg, "Date", col).strip()
    if date_text:
        try:
            date = parsedate_to_datetime(date_text)
        except Exception:
            col.defect(f"The date {date_text!r} could not be read.")
        if date is not None and date.tzinfo is None:
            col.defect("The date has no time zone.")
            date = None

    try:
        _walk(msg, col, 0)
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

    to = tuple(address for _, address in _addresses(msg, "To", col))
    cc = tuple(address for _, address in _addresses(msg, "Cc", col))
    reply_to = tuple(address for _, address in _addresses(msg, "Reply-To", col))

    is_dsn = _content_type(msg) == "multipart/report" and _param(msg, "report-type").lower() == "delivery-status"
    is_bounce = is_dsn or col.seen_report
    if not is_bounce and (_BOUNCE_SENDER.match(from_email) or from_email.startswith("mailer-daemon")):
        is_bounce = bool(_BOUNCE_SUBJECT.search(subject)) or "delivery" in text.lower()[:2000]
    bounced: list[str] = list(col.dsn_recipients)
    if is_bounce and not bounced and not is_dsn:
        bounced = _find_bounced_in_text(text[:5000], {from_email, *to, *cc})
    auto = _auto_submitted(msg, subject, col) or col.seen_receipt

    return ParsedMail(
        message_id=(_message_ids(_header(msg, "Message-ID", col)) or (None,))[0],
        in_reply_to=_message_ids(_header(msg, "In-Reply-To", col)),
        references=_message_ids(_header(msg, "References", col)),
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
        defects=tuple(col.defects),
    )
