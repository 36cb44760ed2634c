"""HMAC-SHA256 request signing for inbound webhooks (see docs/email.md).

The sender computes ``hex(HMAC-SHA256(secret, timestamp + "." + body))`` over the exact bytes it
sends and puts it in ``X-Touchpoint-Signature: sha256=<hex>`` beside ``X-Touchpoint-Timestamp``
(Unix seconds). A timestamp more than five minutes away from our clock is refused, so a captured
request can't be replayed later."""

from __future__ import annotations

import hashlib
import hmac
import re
import time

MAX_SKEW_SECONDS = 300
# ASCII digits only, and few of them: int() would also take "1_767", Arabic-Indic digits, a sign or
# 309 nines (larger than any float, so comparing it with the clock raised OverflowError).
TIMESTAMP = re.compile(r"[0-9]{1,12}")


def signature_for(*, secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


def signature_problem(*, secret: str, timestamp: str | None, signature: str | None, body: bytes) -> str | None:
    """None when the request is signed correctly and fresh; otherwise what is wrong and how to fix it."""
    if not timestamp or not signature:
        return "missing X-Touchpoint-Timestamp or X-Touchpoint-Signature: sign the request as docs/email.md says"
    stamp = timestamp.strip()
    if not TIMESTAMP.fullmatch(stamp):
        return "X-Touchpoint-Timestamp must be Unix time in whole seconds"
    if abs(time.time() - int(stamp)) > MAX_SKEW_SECONDS:
        return "the timestamp is more than 5 minutes from our clock: sign each request when you send it"
    expected = signature_for(secret=secret, timestamp=stamp, body=body)
    if not hmac.compare_digest(expected.encode(), signature.strip().encode()):
        return "the signature does not match: HMAC-SHA256 of timestamp + '.' + body with the shared secret"
    return None
