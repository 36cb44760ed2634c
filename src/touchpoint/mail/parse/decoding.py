"""Headers and bytes as text, whatever state they are in: encoded words, charsets declared, wrong
or missing (ISO-2022-JP with NEC extensions, undeclared 8-bit), addresses, message ids, and a
header block repaired before the stdlib reads it."""

from __future__ import annotations

import codecs
import re
from email.header import decode_header
from email.message import Message
from email.utils import getaddresses

from touchpoint.mail.parse.collector import Collector


def header_text(msg: Message, name: str, col: Collector) -> str:
    """A header as decoded text, whatever state it is in ("" when absent).

    Read from the raw value and decoded here rather than by ``policy.default``: the policy
    raises on some malformed headers and decodes unknown or mislabelled charsets (GB2312 that
    is really GBK, ISO-2022-JP with vendor extensions) to replacement characters.
    """
    raw = raw_header(msg, name)
    if raw is None:
        return ""
    raw = re.sub(r"\r?\n", "", raw).rstrip()  # RFC 5322 unfolding: the line break goes, the blank stays
    if any("\udc80" <= char <= "\udcff" for char in raw):
        # 8-bit bytes in a header (no RFC 2047): the parser kept them as surrogate escapes.
        col.defect(f"The {name} header has unencoded 8-bit characters.")
        raw = _decode_undeclared(raw.encode("ascii", "surrogateescape"), col)
    if "=?" in raw:
        return decode_words(raw, col)
    return raw


def raw_header(msg: Message, name: str) -> str | None:
    wanted = name.lower()
    for key, value in msg.raw_items():
        if key.lower() == wanted:
            return value if isinstance(value, str) else str(value)
    return None


def decode_words(raw: str, col: Collector) -> str:
    """RFC 2047 encoded words, decoded leniently with our charset fallbacks."""
    try:
        parts = decode_header(raw)
    except Exception:
        col.defect("A header had encoded words that could not be decoded.")
        return raw
    out: list[str] = []
    for chunk, charset in parts:
        if isinstance(chunk, bytes):
            out.append(decode_bytes(chunk, charset, col))
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


def decode_bytes(data: bytes, charset: str | None, col: Collector) -> str:
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


def header_addresses(msg: Message, name: str, col: Collector) -> list[tuple[str, str]]:
    """(display name, lower-case address) pairs from an address header.

    The list is split before encoded words are decoded: a decoded name may hold a comma
    ("Müller, Bernd") that would otherwise split one address in two.
    """
    raw = raw_header(msg, name)
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
        shown = decode_words(display, col) if "=?" in display else display
        pairs.append((shown.strip(), address.lower()))
    if not pairs:
        found = re.findall(r"[\w.+'=-]+@[\w-]+(?:\.[\w-]+)+", raw)
        pairs = [("", address.lower()) for address in found]
    return pairs


_MSGID = re.compile(r"<([^<>\s]+)>")


def header_message_ids(value: str) -> tuple[str, ...]:
    found = [f"<{item}>" for item in _MSGID.findall(value)]
    if not found:
        found = [f"<{token.strip('<>')}>" for token in value.split() if "@" in token]
    unique: list[str] = []
    for item in found:
        if item not in unique:
            unique.append(item)
    return tuple(unique)


def charset_of(part: Message) -> str | None:
    try:
        value = part.get_param("charset")
        return value if isinstance(value, str) else None  # RFC 2231 tuples carry no usable charset here
    except Exception:
        return None


def declared_charsets(msg: Message) -> tuple[str, ...]:
    """The charsets the message's parts declare, multi-byte ones first.

    They are the best guess for 8-bit header bytes that declare nothing: a single-byte Latin
    charset decodes anything, so it is tried last.
    """
    found: list[str] = []
    try:
        for part in msg.walk():
            charset = charset_of(part)
            if isinstance(charset, str) and charset.lower() not in found:
                found.append(charset.lower())
    except Exception:
        return tuple(found)
    single_byte = ("iso-8859", "windows-125", "cp125", "us-ascii", "ascii", "latin", "utf-8", "utf8")
    return tuple(sorted(found, key=lambda name: name.startswith(single_byte)))


def _decode_undeclared(data: bytes, col: Collector) -> str:
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


def repair_header_block(data: bytes, col: Collector) -> bytes:
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
