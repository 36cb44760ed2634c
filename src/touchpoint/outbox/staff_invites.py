"""Inviting a colleague: their account (inactive until they set a password), a one-time link, the
email that carries it (an outbox notice: nothing is sent in the lead's request) and the audit, all
in one transaction. The link's page is ``console.views.staff_invite``; the link itself
``staff.invites``."""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.db import IntegrityError, transaction

from touchpoint.core.clock import now
from touchpoint.outbox.services import notice_enqueue
from touchpoint.shop.models import Area, SettingChange
from touchpoint.shop.people import PeopleRefused, role_grant_check
from touchpoint.shop.selectors import shop_settings
from touchpoint.staff.invites import INVITE_DAYS, invite_issue
from touchpoint.staff.models import Role, StaffUser, Team

INVITE_PATH = "/console/invite/{token}/"  # console.routes.shop: "console/invite/<str:token>/"


def invite_url(token: str) -> str:
    return f"{settings.TOUCHPOINT_PUBLIC_URL}{INVITE_PATH.format(token=token)}"


def _email(*, member: StaffUser, by: StaffUser, token: str, again: bool) -> None:
    shop = shop_settings().name
    inviter = by.get_full_name() or by.get_username()
    body = (
        f"Hi {member.first_name or 'there'},\n\n"
        f"{inviter} has invited you to work on {shop}'s cases in Touchpoint, as {Role(member.role).label.lower()}.\n\n"
        "Choose your password here (the link works once, for "
        f"{INVITE_DAYS} days):\n\n{invite_url(token)}\n\n"
        f"Then sign in with your email address, {member.email}.\n\n"
        "If you weren't expecting this, ignore this email: nothing happens until the link is used.\n\n"
        f"{shop}\n"
    )
    notice_enqueue(
        recipient=member.email,
        subject=f"{'Reminder: ' if again else ''}You're invited to {shop} on Touchpoint",
        body_text=body,
        idempotency_key=f"staff:invite:{token[:24]}",
    )


def staff_invite(
    *, by: StaffUser, email: str, first_name: str, last_name: str, role: str, teams: Sequence[Team]
) -> StaffUser:
    """Invite ``email`` (lower-cased; its own username, so people sign in with it) as ``role`` in
    ``teams``. Refused (PeopleRefused, nothing written) when someone already has that address or
    ``by`` may not give that role. Opens its own transaction; the caller holds nothing."""
    role_grant_check(by=by, role=role)
    address = email.strip().lower()
    try:
        with transaction.atomic():
            if (
                StaffUser.objects.filter(email__iexact=address).exists()
                or StaffUser.objects.filter(username__iexact=address).exists()
            ):
                raise PeopleRefused(
                    f"{address} already has an account: find them in the list below "
                    "(send their invitation again from there if they haven't used it)."
                )
            member = StaffUser(
                username=address, email=address, first_name=first_name, last_name=last_name, role=role, is_active=False
            )
            member.set_unusable_password()
            member.save()
            member.teams.set(teams)
            token = invite_issue(member=member, by=by)
            _email(member=member, by=by, token=token, again=False)
            after = f"{Role(role).label}; teams: {', '.join(t.slug for t in teams) or 'none'}"
            SettingChange.objects.create(
                at=now(),
                by=by,
                by_name=by.get_username(),
                area=Area.PEOPLE,
                subject=f"staff:{address}",
                field="staff invited",
                before="",
                after=after,
            )
            return member
    except IntegrityError:  # another lead invited the same address a moment ago
        raise PeopleRefused(f"{address} was invited a moment ago by someone else: find them in the list.") from None


def staff_invite_again(*, by: StaffUser, member: StaffUser) -> None:
    """Email ``member`` a new link (the earlier ones stop working); only while they haven't joined.
    Opens its own transaction."""
    with transaction.atomic():
        member = StaffUser.objects.select_for_update().get(pk=member.pk)
        if member.is_active or member.has_usable_password():
            raise PeopleRefused(f"{member.email} has already joined: there is nothing to resend.")
        token = invite_issue(member=member, by=by)
        _email(member=member, by=by, token=token, again=True)
        SettingChange.objects.create(
            at=now(),
            by=by,
            by_name=by.get_username(),
            area=Area.PEOPLE,
            subject=f"staff:{member.email}",
            field="staff invited again",
            before="",
            after="a new link",
        )
