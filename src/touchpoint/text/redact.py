"""Redact personal data from feedback before a person reviews it for publication.

What goes: email addresses, phone numbers, postcodes and street addresses, and full names (the
customer's and any other known person's full name becomes the first name and an initial, "Ian K.";
a name introduced in the text, "my name is Ian Kearns", the same). What stays: first names alone
(a compliment that names "Jo" should still reach Jo), case references, prices, dates and device
models. Every redaction is reported with its kind, so the moderator sees what changed and why.

Patterns are deliberately a little greedy: publishing a stranger's phone number is worse than
masking a long serial number, and a person approves every item before it is published.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["email", "phone", "postcode", "address", "name"]

EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# +44 20 7946 0958, 07700 900123, (020) 7946-0958, +1 415-555-0100; 9 to 15 digits in all.
PHONE = re.compile(r"(?<![\w-])(?:\+|00)?\(?\d[\d ()./-]{7,18}\d(?![\w-])")
# UK postcodes (SW1A 1AA, M1 1AE, EH12 9DN), US ZIP+4 is left alone (too close to order numbers).
POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.IGNORECASE)
STREET_WORDS = (
    "street|st|road|rd|avenue|ave|lane|ln|drive|dr|close|way|court|ct|place|pl|crescent|gardens|"
    "terrace|grove|square|sq|hill|row|mews|walk|parade|boulevard|blvd"
)
ADDRESS = re.compile(
    rf"\b(?:flat|apartment|apt|unit)?\s*\d{{1,4}}[a-z]?,?\s+(?:[A-Z][a-z]+\s+){{1,3}}(?:{STREET_WORDS})\b\.?",
    re.IGNORECASE,
)
INTRODUCED = re.compile(
    r"\b(?i:my name is|my name's|i am|i'm|this is|signed|regards,?|thanks,?|cheers,?|from)\s+"
    r"([A-Z][a-z]+(?:-[A-Z][a-z]+)?)\s+([A-Z][a-z]*(?:['’-][A-Z]?[a-z]+)*)\b"
)


@dataclass(frozen=True)
class Finding:
    kind: Kind
    original: str
    replacement: str


@dataclass(frozen=True)
class Redacted:
    text: str
    findings: list[Finding] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.findings)


def _short(full_name: str) -> str:
    parts = full_name.split()
    return f"{parts[0]} {parts[-1][0]}." if len(parts) > 1 else parts[0]


def _digits(text: str) -> int:
    return sum(ch.isdigit() for ch in text)


def redact(text: str, *, known_names: Iterable[str] = ()) -> Redacted:
    """``text`` with personal data masked. ``known_names`` are full names of people the shop knows
    (the customer, staff); each becomes first name and initial wherever it appears, in any case."""
    findings: list[Finding] = []

    def sub(
        pattern: re.Pattern[str], kind: Kind, label: str, source: str, *, check: Callable[[str], bool] | None = None
    ) -> str:
        def replace(match: re.Match[str]) -> str:
            found = match.group(0)
            if check is not None and not check(found):
                return found
            findings.append(Finding(kind, found.strip(), label))
            lead = found[: len(found) - len(found.lstrip())]
            return lead + label

        return pattern.sub(replace, source)

    out = sub(EMAIL, "email", "[email]", text)
    out = sub(ADDRESS, "address", "[address]", out)
    out = sub(POSTCODE, "postcode", "[postcode]", out, check=lambda s: any(c.isdigit() for c in s))
    out = sub(PHONE, "phone", "[phone]", out, check=lambda s: 9 <= _digits(s) <= 15)
    for name in sorted({n.strip() for n in known_names if len(n.split()) > 1}, key=len, reverse=True):
        pattern = re.compile(r"\b" + r"\s+".join(re.escape(part) for part in name.split()) + r"\b", re.IGNORECASE)
        short = _short(name)
        out, count = pattern.subn(short, out)
        findings.extend(Finding("name", name, short) for _ in range(count))

    def introduced(match: re.Match[str]) -> str:
        first, last = match.group(1), match.group(2)
        findings.append(Finding("name", f"{first} {last}", f"{first} {last[0]}."))
        return match.group(0)[: match.start(1) - match.start(0)] + f"{first} {last[0]}."

    out = INTRODUCED.sub(introduced, out)
    out = re.sub(r"(?<=\b[A-Z])\.\.(?!\.)", ".", out)  # "Ian K." at the end of a sentence
    return Redacted(out, findings)
