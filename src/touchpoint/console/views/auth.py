"""Staff sign-in and sign-out: the console's own plain form (CSRF, no JavaScript needed).

Repeated failures lock the username from that address (django-axes); the locked-out person sees
this same page with a message saying until when, never an error page. A session signed out for
being idle or too old lands here with a line saying so."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth import login, logout
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render, resolve_url
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from touchpoint.core.clients import client_address
from touchpoint.staff.gate import owed_step, step_url
from touchpoint.staff.lockout import locked_until

TEMPLATE = "console/auth/login.html"


class SignInForm(AuthenticationForm):
    """Django's sign-in form, with the username's length checked: Django's sets only the input's
    maxlength, so a longer name went on to authentication, and django-axes records each failed
    name in a 255-character column (PostgreSQL refused a longer one: a 500)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        username = self.fields["username"]
        most = int(getattr(username, "max_length", None) or 150)
        username.validators.append(MaxLengthValidator(most))
        username.error_messages["max_length"] = f"A username has at most {most} characters: check what you typed."


def _next_url(request: HttpRequest) -> str:
    """Where to go after signing in: the page asked for, if it is on this site; else the queues."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _expired_message(request: HttpRequest) -> str:
    reason = request.GET.get("expired")
    if reason == "idle":
        minutes = settings.TOUCHPOINT_SESSION_IDLE_MINUTES
        return f"You were signed out after {minutes} minutes without activity. Sign in again to carry on."
    if reason == "max":
        hours = settings.SESSION_COOKIE_AGE // 3600
        return f"You were signed out: a session lasts at most {hours} hours. Sign in again to carry on."
    if reason == "out":
        return "You are signed out."
    return ""


def _page(request: HttpRequest, form: AuthenticationForm, *, status: int = 200, **extra: Any) -> HttpResponse:
    context = {"form": form, "next": _next_url(request), "notice": _expired_message(request), **extra}
    return render(request, TEMPLATE, context, status=status)


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = SignInForm(request, data=request.POST)
        if form.is_valid():
            login(request, form.get_user())  # starts the session's clocks (staff.sessions.on_login)
            owed = owed_step(request)  # a code to give, or two-factor to set up, before anything else
            return HttpResponseRedirect(step_url(owed, next_url=_next_url(request)) if owed else _next_url(request))
        return _page(request, form, status=400)
    if request.user.is_authenticated:
        return HttpResponseRedirect(_next_url(request))
    return _page(request, SignInForm(request))


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return HttpResponseRedirect(f"{resolve_url(settings.LOGIN_URL)}?expired=out")


def locked_out(request: HttpRequest, response: HttpResponse | None, credentials: dict[str, Any] | None) -> HttpResponse:
    """django-axes calls this instead of its 403 page: the sign-in page again, with until when."""
    username = str((credentials or {}).get("username") or request.POST.get("username") or "")
    until: datetime | None = locked_until(username=username, ip_address=client_address(request))
    form = SignInForm(request, initial={"username": username})  # unbound: no "required" noise
    shown = timezone.localtime(until).strftime("%H:%M") if until else "15 minutes from now"
    lockout = f"Too many attempts for this account from here; try again after {shown} or ask an admin to unlock you."
    return _page(request, form, status=429, lockout=lockout)
