"""Deriving a link's token from its nonce, and the hash the token is looked up by."""

from __future__ import annotations

import base64
import hashlib

from django.utils.crypto import salted_hmac

_SALT = "touchpoint.links.CaseLink"


def token_for(nonce: str) -> str:
    """43 URL-safe characters (256 bits): unguessable, and the same every time for one link."""
    digest = salted_hmac(_SALT, nonce, algorithm="sha256").digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def looks_like_token(text: str) -> bool:
    return len(text) == 43 and all(c.isalnum() or c in "-_" for c in text)
