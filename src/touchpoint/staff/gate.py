"""The second step of signing in, enforced for every page: a session that owes a code (or, for a lead,
an admin or anyone opening the Django admin, owes setting two-factor up) reaches only the page that
takes it, signing in again and signing out.

After ``OTPMiddleware`` (``user.is_verified()``) and ``StaffSessionMiddleware`` (an expired session
is signed out first). It acts in ``process_view``, once the URL is resolved, so it knows whether the
page is the Django admin's and which page it is by name, not by path."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.utils.http import urlencode
from django_htmx.http import HttpResponseClientRedirect

from touchpoint.core.htmx import HtmxHttpRequest
from touchpoint.staff.two_factor import OWES_CODE, is_verified, two_factor_required

Owed = Literal["code", "setup"]


def owed_step(request: HttpRequest, *, admin: bool = False) -> Owed | None:
    """What this signed-in session must do before anything else: give a code, set two-factor up, or
    nothing. ``admin``: the page asked for is the Django admin's, which nobody opens unverified."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or is_verified(user):
        return None
    if getattr(request, "session", {}).get(OWES_CODE):
        return "code"
    if admin or two_factor_required(user):
        return "setup"
    return None


def step_url(owed: Owed, *, next_url: str | None) -> str:
    name = settings.TOUCHPOINT_TWO_FACTOR_CODE_URL if owed == "code" else settings.TOUCHPOINT_TWO_FACTOR_SETUP_URL
    url = resolve_url(name)
    return f"{url}?{urlencode({REDIRECT_FIELD_NAME: next_url})}" if next_url else url


def _open_while_owed(owed: Owed) -> frozenset[str]:
    step = settings.TOUCHPOINT_TWO_FACTOR_CODE_URL if owed == "code" else settings.TOUCHPOINT_TWO_FACTOR_SETUP_URL
    return frozenset({step, "console:login", "console:logout"})


class TwoFactorGateMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HtmxHttpRequest, view: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> HttpResponse | None:
        match = request.resolver_match
        if match is None:
            return None
        owed = owed_step(request, admin=match.app_name == "admin")
        if owed is None or match.view_name in _open_while_owed(owed):
            return None
        wanted = request.get_full_path() if request.method == "GET" and not request.htmx else None
        url = step_url(owed, next_url=wanted)
        if request.htmx:  # htmx follows HX-Redirect with a full page load
            return HttpResponseClientRedirect(url)
        return HttpResponseRedirect(url)
