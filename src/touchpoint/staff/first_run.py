"""The first run: on a database with nobody on the staff, whoever holds the setup code creates the
owner's account in the browser, and no one else can.

The code is derived from ``SECRET_KEY`` (so the web app and the ``touchpoint setup_code`` command
agree without storing anything) and works only while the staff table is empty: once the owner
exists it opens nothing. ``touchpoint run`` prints it beside the address, like a router's first
password, so a stranger who finds a fresh install on the network can't claim it first."""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.db import IntegrityError, transaction
from django.utils.encoding import force_bytes

from touchpoint.staff.models import Role, StaffUser

_owner_known = False  # once someone is on the staff, nobody ever leaves the table (accounts are deactivated)


def owner_exists() -> bool:
    """Whether anyone is on the staff. True is remembered for the process (it can't become false:
    staff are deactivated, never deleted), so a set-up shop pays for this question once."""
    global _owner_known
    if not _owner_known:
        _owner_known = StaffUser.objects.exists()
    return _owner_known


def forget_owner() -> None:
    """For tests that empty the staff table between cases."""
    global _owner_known
    _owner_known = False


def setup_code() -> str:
    """Twelve letters and digits in three groups (``ABCD-EFGH-JKLM``), easy to read off a terminal."""
    digest = hmac.new(force_bytes(settings.SECRET_KEY), b"touchpoint first run", hashlib.sha256).digest()
    letters = base64.b32encode(digest).decode()[:12]
    return "-".join(letters[i : i + 4] for i in range(0, 12, 4))


def setup_code_matches(typed: str) -> bool:
    cleaned = "".join(ch for ch in typed.upper() if ch.isalnum())
    return hmac.compare_digest(cleaned, setup_code().replace("-", ""))


class OwnerExists(Exception):
    """Someone created the owner's account first (two tabs, or two people)."""


@dataclass(frozen=True)
class OwnerDetails:
    username: str
    name: str
    email: str
    password: str


def owner_create(*, details: OwnerDetails) -> StaffUser:
    """The shop's first account: an admin (and Django superuser, so the raw admin opens too); two-factor
    set-up is asked of it on its first page, as of every admin. Raises ``ValidationError`` for a password
    Django's validators refuse, ``OwnerExists`` when the staff table is no longer empty."""
    first, _, last = details.name.strip().partition(" ")
    user = StaffUser(
        username=details.username,
        email=details.email,
        first_name=first[:150],
        last_name=last[:150],
        role=Role.ADMIN,
        is_staff=True,
        is_superuser=True,
    )
    validate_password(details.password, user)
    user.set_password(details.password)
    if StaffUser.objects.exists():
        raise OwnerExists
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:  # the same username, written by a submission a moment earlier
        raise OwnerExists from exc
    return user


__all__ = [
    "OwnerDetails",
    "OwnerExists",
    "forget_owner",
    "owner_create",
    "owner_exists",
    "setup_code",
    "setup_code_matches",
]
