"""How a mail names its case: a case reference in the subject (``TP-4K7Q9``) and the token of a
``reply+<token>@`` address."""

from __future__ import annotations

import re
from collections.abc import Iterable
from email.utils import getaddresses

from touchpoint.core.ids import ALPHABET, REFERENCE_LENGTH

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
