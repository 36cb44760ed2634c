"""Two-factor sign-in (django-otp): who must have it, setting it up, checking a code, recovery codes,
and a lead's reset for a lost phone.

Each person has at most one authenticator app (a TOTP device, confirmed once they type a code from
it) and one set of recovery codes (a static device whose codes each work once). django-otp keeps
the rules that matter: a code from the app is accepted once (its time step is remembered, so a
replay is refused), a recovery code is deleted when used, and each device backs off after wrong
codes (1, 2, 4, 8 … seconds; only a right code resets it, signing in again with the password
doesn't).

Required for leads, admins and superusers (and for anyone opening the Django admin, see
:mod:`touchpoint.staff.gate`); offered to agents."""

from __future__ import annotations

from base64 import b32encode
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import segno
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from touchpoint.core.clock import now
from touchpoint.staff.access import has_role
from touchpoint.staff.models import Role, StaffUser, TwoFactorReset

APP_NAME = "Authenticator app"
CODES_NAME = "Recovery codes"
# Set at sign-in when the person has a device: the session owes a code before it reaches anything.
OWES_CODE = "tp_owes_code"


def two_factor_required(user: Any) -> bool:
    """Leads, admins and superusers may not work without it."""
    return isinstance(user, StaffUser) and (user.is_superuser or user.role in (Role.LEAD, Role.ADMIN))


def is_verified(user: Any) -> bool:
    """This session gave a code (django-otp's middleware installs ``is_verified``)."""
    check = getattr(user, "is_verified", None)
    return bool(check is not None and check())


def has_device(user: StaffUser) -> bool:
    """A confirmed authenticator app or recovery codes: signing in asks for a code."""
    return any(True for _ in devices_for_user(user, confirmed=True))


def on_login(sender: object, request: HttpRequest | None, user: Any, **kwargs: object) -> None:
    """Every ``login()`` (the console's, the admin's, a test's ``force_login``) notes whether the new
    session owes a code, so the gate reads the session instead of the devices on each request."""
    if request is None or not hasattr(request, "session") or not isinstance(user, StaffUser):
        return
    if has_device(user):
        request.session[OWES_CODE] = True
    else:
        request.session.pop(OWES_CODE, None)


# Setting up the authenticator app


def app_device(*, user: StaffUser) -> Any | None:
    """``user``'s confirmed authenticator app, if they have one."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-pk").first()


def totp_device_pending(*, user: StaffUser) -> Any:
    """The authenticator app being set up: the same secret until it is confirmed, so reloading the
    page doesn't change the QR code the phone has already scanned."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=APP_NAME, confirmed=False)


def totp_device_confirm(*, device: Any, code: str) -> bool:
    """The app shows ``code`` for the pending ``device``: it becomes the person's authenticator (any
    earlier one stops working). False when the code is wrong, already used, or it is too soon after a
    wrong one."""
    with transaction.atomic():
        locked = TOTPDevice.objects.select_for_update().filter(pk=device.pk, confirmed=False).first()
        if locked is None or not locked.verify_token(code_typed(code)):
            return False
        locked.confirmed = True
        locked.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user_id=locked.user_id).exclude(pk=locked.pk).delete()
    device.refresh_from_db()
    return True


def secret_for_typing(device: Any) -> str:
    """The secret as an authenticator app asks for it when typed: base32, in groups of four."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_data_uri(device: Any) -> str:
    """The ``otpauth://`` address as a QR code, an SVG ``data:`` URI (the CSP allows ``img-src data:``)."""
    return str(segno.make(device.config_url, error="m").svg_data_uri(scale=4, border=2))


# Recovery codes


def recovery_codes_issue(*, user: StaffUser) -> list[str]:
    """A fresh set of one-time recovery codes; every earlier one stops working. The caller shows them
    once: they are not shown again."""
    codes = [StaticToken.random_token() for _ in range(settings.TOUCHPOINT_RECOVERY_CODES)]
    with transaction.atomic():
        device = StaticDevice.objects.filter(user=user).order_by("pk").first()
        if device is None:
            device = StaticDevice.objects.create(user=user, name=CODES_NAME, confirmed=True)
        StaticDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.token_set.all().delete()
        StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


# Checking a code at sign-in


def code_typed(code: str) -> str:
    """What was typed, as the devices store it: no spaces or dashes, lower case."""
    return "".join(code.split()).replace("-", "").lower()


@dataclass(frozen=True)
class CodeCheck:
    device: Any | None  # the device that accepted the code
    wait_until: datetime | None = None  # a device is backing off after wrong codes until then


def code_check(*, user: StaffUser, code: str) -> CodeCheck:
    """Six digits are checked against the authenticator app, anything else against the recovery codes
    (a recovery code that works is used up). Each device is locked while it checks, so two requests
    can't both spend one code."""
    typed = code_typed(code)
    model = TOTPDevice if len(typed) == 6 and typed.isascii() and typed.isdigit() else StaticDevice
    wait_until = None
    with transaction.atomic():
        for device in model.objects.devices_for_user(user, confirmed=True).select_for_update():
            allowed, why = device.verify_is_allowed()
            if not allowed:
                wait_until = (why or {}).get("locked_until")
                continue
            if device.verify_token(typed):
                return CodeCheck(device)
    return CodeCheck(None, wait_until)


def session_verify(request: HttpRequest, *, device: Any) -> None:
    """The session gave a code from ``device``: it reaches everything the person's role opens. A new
    session key, since the session gained rights."""
    otp_login(request, device)
    request.session.cycle_key()
    request.session.pop(OWES_CODE, None)


def verified_by_app(user: Any) -> bool:
    """This session gave a code from the authenticator app itself, not a recovery code: only such a
    session may move the app to a new phone. Someone holding a stolen password and a recovery code
    must not be able to swap in their own phone; a lost phone is a lead's reset (a second person)."""
    return is_verified(user) and isinstance(getattr(user, "otp_device", None), TOTPDevice)


# Where someone stands, and a lead's reset


@dataclass(frozen=True)
class TwoFactorStatus:
    app_since: datetime | None  # when the authenticator app was set up; None without one
    codes_left: int
    last_reset: TwoFactorReset | None


def two_factor_status(*, user: StaffUser) -> TwoFactorStatus:
    app = app_device(user=user)
    codes = StaticToken.objects.filter(device__user=user, device__confirmed=True).count()
    last = TwoFactorReset.objects.filter(member=user).select_related("reset_by").first()
    return TwoFactorStatus(app.created_at if app else None, codes, last)


def reset_refusal(*, by: Any, member: StaffUser) -> str | None:
    """Why ``by`` may not reset ``member``'s two-factor, or None when they may. Leads reset agents and
    leads; only an admin resets an admin; nobody resets their own (a second person is the check)."""
    if not has_role(by, "lead"):
        return "Only a lead or an admin can reset someone's two-factor sign-in."
    if by.pk == member.pk:
        return "You can't reset your own two-factor sign-in: ask another lead or an admin."
    if has_role(member, "admin") and not has_role(by, "admin"):
        return "Only an admin can reset an admin's two-factor sign-in."
    return None


class ResetRefused(Exception):
    pass


def two_factor_reset(*, member: StaffUser, by: StaffUser, reason: str) -> TwoFactorReset:
    """Take ``member``'s authenticator app and recovery codes away (a lost phone), recorded with who,
    when and why. Their sessions stop counting as verified at once: a lead or admin is sent to set it
    up again on their next request; an agent carries on without it until they set it up."""
    refusal = reset_refusal(by=by, member=member)
    if refusal is not None:
        raise ResetRefused(refusal)
    with transaction.atomic():
        for model in (TOTPDevice, StaticDevice):
            model.objects.filter(user=member).delete()
        return TwoFactorReset.objects.create(member=member, reset_by=by, at=now(), reason=reason)
