"""How many SMS a text costs: the encoding it needs and its segments (3GPP TS 23.038 and 23.040).

A text whose every character is in the GSM 7-bit alphabet (its basic set, and the extension table
whose characters take two septets: ``{ } [ ] ~ \\ | ^ €`` and the form feed) is sent as GSM-7: 160
septets in one message, 153 per segment once it is split (seven go to the header that joins them).
Any other character (an emoji, a curly quote, most accents) sends the whole text as UCS-2: 70
UTF-16 units in one message, 67 per segment; a character outside the Basic Multilingual Plane (most
emoji) takes two units, and phones never split such a pair across segments. Framework-free."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# The GSM 03.38 basic character set (one septet each), in table order; "\x1b" (the escape) excluded.
GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# The extension table: an escape septet and one more, so two septets each.
GSM_EXTENDED = frozenset("\f^{}\\[~]|€")

SINGLE = {"GSM-7": 160, "UCS-2": 70}
PER_SEGMENT = {"GSM-7": 153, "UCS-2": 67}


@dataclass(frozen=True)
class Segments:
    encoding: Literal["GSM-7", "UCS-2"]
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    segments: int  # 0 for an empty text
    not_gsm: str  # the characters that forced UCS-2, in order of first use ("" for GSM-7)


def sms_segments(text: str) -> Segments:
    """The encoding ``text`` needs and how many segments it is sent in."""
    not_gsm = "".join(dict.fromkeys(c for c in text if c not in GSM_BASIC and c not in GSM_EXTENDED))
    if not not_gsm:
        sizes = [2 if c in GSM_EXTENDED else 1 for c in text]
        return Segments("GSM-7", sum(sizes), _count(sizes, "GSM-7"), "")
    sizes = [2 if ord(c) > 0xFFFF else 1 for c in text]
    return Segments("UCS-2", sum(sizes), _count(sizes, "UCS-2"), not_gsm)


def _count(sizes: list[int], encoding: Literal["GSM-7", "UCS-2"]) -> int:
    total = sum(sizes)
    if total == 0:
        return 0
    if total <= SINGLE[encoding]:
        return 1
    # Split as phones do: a character that needs two units (an escape and its septet, a surrogate
    # pair) never straddles two segments, so a segment may hold one unit less than it could.
    limit, segments, used = PER_SEGMENT[encoding], 1, 0
    for size in sizes:
        if used + size > limit:
            segments, used = segments + 1, 0
        used += size
    return segments
