"""Invitation links for new colleagues: a random token emailed once, only its hash kept; it opens the
page where the invitee sets a password, once, before it expires. Issuing one and emailing it is
``outbox.staff_invites`` (the email goes through the outbox); this module is what the link page reads
and writes."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.db import transaction

from touchpoint.core.clock import now
from touchpoint.staff.models import StaffInvite, StaffUser

INVITE_DAYS = 7  # long enough to find the email after a weekend; short enough not to linger


class InviteInvalid(Exception):
    """The link is unknown, used or expired (the page says so the same way for each)."""


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invite_issue(*, member: StaffUser, by: StaffUser) -> str:
    """A new invitation for ``member`` (not yet active); returns the token for the email. Earlier
    invitations of ``member`` stop working. Call inside the transaction that emails it."""
    at = now()
    StaffInvite.objects.filter(member=member, used_at__isnull=True, expires_at__gt=at).update(expires_at=at)
    token = secrets.token_urlsafe(32)
    StaffInvite.objects.create(
        member=member,
        invited_by=by,
        token_hash=token_hash(token),
        created_at=at,
        expires_at=at + timedelta(days=INVITE_DAYS),
    )
    return token


def invite_find(*, token: str) -> StaffInvite | None:
    """The invitation ``token`` opens, when it still may: unused, unexpired, for someone not yet active."""
    if not token or len(token) > 100:
        return None
    invite = StaffInvite.objects.select_related("member").filter(token_hash=token_hash(token)).first()
    if invite is None or invite.used_at is not None or invite.expires_at <= now() or invite.member.is_active:
        return None
    return invite


def invite_accept(*, token: str, password: str) -> StaffUser:
    """Set the invitee's password (checked by the caller's form against Django's validators) and
    make them active; the link is used up. Raises InviteInvalid when it no longer opens (used a
    moment ago in another tab, expired). Opens its own transaction."""
    with transaction.atomic():
        invite = StaffInvite.objects.select_for_update().filter(token_hash=token_hash(token)).first()
        if invite is None or invite.used_at is not None or invite.expires_at <= now():
            raise InviteInvalid
        member = StaffUser.objects.select_for_update().get(pk=invite.member_id)
        if member.is_active:
            raise InviteInvalid
        at = now()
        member.set_password(password)
        member.is_active = True
        member.save(update_fields=["password", "is_active"])
        invite.used_at = at
        invite.save(update_fields=["used_at"])
        StaffInvite.objects.filter(member=member, used_at__isnull=True).exclude(pk=invite.pk).update(expires_at=at)
        return member
