"""Staff sessions end after a spell without activity (idle expiry) and, whatever happens, a fixed
time after signing in (absolute expiry).

The session keeps two numbers: when the person signed in and when they were last seen (Unix
seconds). "Last seen" is written at most once a minute, so a page that polls does not rewrite the
session on every request; and a background request (the queue's live refresh, marked with the
``X-Touchpoint-Background`` header) doesn't count as activity at all: an open tab nobody looks at
still times out.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Literal

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.utils.http import urlencode
from django_htmx.http import HttpResponseClientRedirect

from touchpoint.core.htmx import HtmxHttpRequest

LOGIN_AT = "tp_login_at"
SEEN_AT = "tp_seen_at"
BACKGROUND_HEADER = "X-Touchpoint-Background"

Expiry = Literal["idle", "max"]


def session_start(request: HttpRequest) -> None:
    """The clock for both expiries starts now. Runs on every ``login()`` (the console's, the admin's,
    a test's ``force_login``) through ``user_logged_in``: Django's own hook for session bookkeeping."""
    stamp = int(time.time())
    request.session[LOGIN_AT] = stamp
    request.session[SEEN_AT] = stamp


def on_login(sender: object, request: HttpRequest | None, **kwargs: object) -> None:
    if request is not None and hasattr(request, "session"):
        session_start(request)


def session_expiry(request: HttpRequest, *, now: float) -> Expiry | None:
    """Which limit this signed-in session has run past, if any."""
    login_at = request.session.get(LOGIN_AT)
    seen_at = request.session.get(SEEN_AT)
    if not isinstance(login_at, int) or not isinstance(seen_at, int):
        return None
    if now - login_at > settings.SESSION_COOKIE_AGE:
        return "max"
    if now - seen_at > settings.TOUCHPOINT_SESSION_IDLE_MINUTES * 60:
        return "idle"
    return None


class StaffSessionMiddleware:
    """After ``AuthenticationMiddleware``: signs out a session past either limit and sends the
    person to the login page, which says why."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HtmxHttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = time.time()
            expired = session_expiry(request, now=now)
            if expired is not None:
                return self._signed_out(request, expired)
            if LOGIN_AT not in request.session:  # a session from before these clocks existed
                session_start(request)
            elif not request.headers.get(BACKGROUND_HEADER):
                seen_at = request.session[SEEN_AT]
                if now - seen_at >= settings.TOUCHPOINT_SESSION_TOUCH_SECONDS:
                    request.session[SEEN_AT] = int(now)
        return self.get_response(request)

    def _signed_out(self, request: HtmxHttpRequest, expired: Expiry) -> HttpResponse:
        logout(request)
        query: dict[str, str] = {"expired": expired}
        if request.method == "GET" and not request.htmx:
            query["next"] = request.get_full_path()
        url = f"{resolve_url(settings.LOGIN_URL)}?{urlencode(query)}"
        if request.htmx:  # htmx follows HX-Redirect with a full page load
            return HttpResponseClientRedirect(url)
        return HttpResponseRedirect(url)
