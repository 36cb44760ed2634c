"""Attachments: named (from the headers, the Content-ID, the description, or their type), kept or
refused (an allow-list of types, a size limit and an executable sniff, each refusal a sentence for
the customer), and uuencoded blocks pulled out of a text body."""

from __future__ import annotations

import binascii
import mimetypes
import re
from email.message import Message

from touchpoint.mail.parse.collector import Collector
from touchpoint.mail.parse.decoding import decode_bytes, decode_words, header_text
from touchpoint.mail.parse.parsed import Attachment, RejectedAttachment

_EXECUTABLE_EXTENSIONS = frozenset(
    {
        "exe", "com", "bat", "cmd", "scr", "pif", "msi", "msp", "dll", "cpl", "js", "jse", "vbs", "vbe",
        "wsf", "wsh", "ps1", "psm1", "jar", "hta", "lnk", "reg", "sh", "app", "apk", "dmg", "iso", "elf",
    }
)  # fmt: skip
_EXECUTABLE_MAGIC = (b"MZ", b"\x7fELF", b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe", b"\xca\xfe\xba\xbe", b"#!")


def part_filename(part: Message, col: Collector) -> str:
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
            name = decode_bytes(str(raw_name[2]).encode("latin-1", "replace"), raw_name[0], col)
        elif raw_name:
            name = str(raw_name)
    if name and "=?" in name:
        name = decode_words(name, col)
    if name and ("\ufffd" in name or any("\udc80" <= char <= "\udcff" for char in name)):
        # Unencoded 8-bit filename: read it again from the raw header with the message's charset.
        for header in ("Content-Disposition", "Content-Type"):
            found = re.search(r'(?:file)?name\s*=\s*"?([^";]+)', header_text(part, header, col), re.IGNORECASE)
            if found:
                name = found.group(1)
                break
    return (name or "").replace("\r", "").replace("\n", "").strip()


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


def keep_attachment(
    col: Collector, *, filename: str, content_type: str, data: bytes, content_id: str | None, inline: bool
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


def described_filename(part: Message, extension: str, col: Collector) -> str:
    """A filename from Content-Description ("Delivery report" → "Delivery report.txt")."""
    description = header_text(part, "Content-Description", col).strip()
    if description and len(description) <= 80 and "/" not in description:
        return description + extension
    return ""


def default_filename(content_type: str) -> str:
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


def _unique_filename(filename: str, col: Collector) -> str:
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


_UUBLOCK = re.compile(r"^begin [0-7]{3,4} (\S[^\n]*)\n(.*?)^end\s*$", re.MULTILINE | re.DOTALL)


def with_uuencoded(text: str, col: Collector) -> str:
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
        keep_attachment(
            col, filename=name, content_type=_guess_type(name), data=bytes(out), content_id=None, inline=False
        )
        return ""

    return _UUBLOCK.sub(take, normalised)


def _guess_type(filename: str) -> str:
    guessed, _ = mimetypes.guess_type(filename, strict=False)
    return guessed or "application/octet-stream"
