"""Case references a person can read aloud: ``TP-4K7Q9`` (Crockford base32, no I/L/O/U)."""

from __future__ import annotations

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
REFERENCE_LENGTH = 5  # 32**5 ≈ 33.5 million references; collisions are retried by the caller


def new_reference(prefix: str = "TP") -> str:
    return f"{prefix}-" + "".join(secrets.choice(ALPHABET) for _ in range(REFERENCE_LENGTH))


def normalise_reference(text: str) -> str:
    """Accept what people type or scan: lower case, spaces, O for 0, I/L for 1."""
    cleaned = text.strip().upper().replace(" ", "").translate(str.maketrans("OIL", "011"))
    if not cleaned.startswith("TP-") and cleaned.startswith("TP"):
        cleaned = "TP-" + cleaned[2:]
    return cleaned


def new_reply_token() -> str:
    """The secret in a case's reply address (reply+<token>@…): lower-case hex, as mail systems may fold case."""
    return secrets.token_hex(10)
