"""Two-factor for tests about something else, and the codes an authenticator app would show.

A lead or admin signs in with a password *and* a code (``touchpoint.staff.gate``). Tests whose story
is the queue, a case or the admin, not signing in, start from ``client.force_login(user)``: here that
gives a lead, an admin, a superuser or anyone allowed into the Django admin a session that has given
its code, as the code step leaves it. The person gets an authenticator app set up through the
services the setup page uses (the code typed is the one the app would show). Agents are left as they
are: nobody asks them for a code until they set two-factor up.

The tests *about* two-factor (tests/staff/test_two_factor.py, tests/console/test_two_factor_browser.py)
go through the pages instead."""

from __future__ import annotations

import re
import time
from base64 import b32decode
from collections.abc import Iterator
from typing import Any

import pytest


class Phone:
    """An authenticator app set up with ``secret`` (base32, as the setup page shows it; spaces allowed).

    ``code()`` is the code a person would type: the one showing now, or, when that one was already
    typed (the server takes each time step once), the next one, as a person waits for the app to
    change. The next one is within the one step of tolerance the server allows, so nobody waits."""

    def __init__(self, secret: str) -> None:
        self.key = b32decode(re.sub(r"\s+", "", secret).upper())
        self.last_step = -1

    def code(self) -> str:
        from django_otp.oath import hotp

        step = max(int(time.time()) // 30, self.last_step + 1)
        self.last_step = step
        return f"{hotp(self.key, step, digits=6):06d}"


def device_code(device: Any) -> str:
    """What an app set up with ``device``'s secret shows now."""
    from django_otp.oath import totp

    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def enrolled(user: Any) -> Any:
    """``user``'s confirmed authenticator app, set up as the setup page does if they have none."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from touchpoint.staff.two_factor import totp_device_confirm, totp_device_pending

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = totp_device_pending(user=user)
        assert totp_device_confirm(device=device, code=device_code(device))
    return device


@pytest.fixture(autouse=True)
def _force_login_gives_the_code(request: pytest.FixtureRequest) -> Iterator[None]:
    if not request.config.pluginmanager.has_plugin("django"):
        yield  # the journey tests run without Django (`-p no:django`)
        return
    from django.test.client import ClientMixin
    from django_otp import DEVICE_ID_SESSION_KEY

    from touchpoint.staff.two_factor import OWES_CODE, two_factor_required

    original = ClientMixin.force_login

    def force_login(self: Any, user: Any, backend: str | None = None) -> None:
        original(self, user, backend)
        if two_factor_required(user) or getattr(user, "is_staff", False):
            # What the code step leaves in the session (staff.two_factor.session_verify); django-otp's
            # own login() can't do it here: force_login's request has no user to check the device against.
            session = self.session
            session[DEVICE_ID_SESSION_KEY] = enrolled(user).persistent_id
            session.pop(OWES_CODE, None)
            session.save()

    ClientMixin.force_login = force_login  # type: ignore[method-assign]
    try:
        yield
    finally:
        ClientMixin.force_login = original  # type: ignore[method-assign]
