"""The page an invitation link opens: the invitee chooses a password (Django's validators, argon2),
once, and is signed in; leads and admins then set up two-factor sign-in before anything else (the
gate, ``staff.gate``). The link opens this page only, for this one person; a wrong, used or
expired link says so and how to get a new one, and wrong links are rate-limited per client."""

from __future__ import annotations

from django.contrib.auth import login
from django.contrib.auth.forms import SetPasswordForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from touchpoint.core.ratelimit import Limit, client_key, ratelimit_hit
from touchpoint.staff.invites import InviteInvalid, invite_accept, invite_find

MISSES = Limit(count=20, seconds=600)  # a guesser gets nowhere; a mistyped link is still answered
BACKEND = "django.contrib.auth.backends.ModelBackend"


def _respond(request: HttpRequest, template: str, context: dict[str, object], *, status: int) -> HttpResponse:
    response = render(request, template, context, status=status)
    response["Referrer-Policy"] = "no-referrer"  # the token is in this page's address
    return response


def _gone(request: HttpRequest) -> HttpResponse:
    if not ratelimit_hit(scope="console.invite.miss", key=client_key(request), limit=MISSES):
        return _respond(request, "console/auth/invite.html", {"limited": True}, status=429)
    return _respond(request, "console/auth/invite.html", {"gone": True}, status=404)


@never_cache
@require_http_methods(["GET", "POST"])
def accept(request: HttpRequest, token: str) -> HttpResponse:
    invite = invite_find(token=token)
    if invite is None:
        return _gone(request)
    member = invite.member
    if request.method == "GET":
        return _respond(
            request, "console/auth/invite.html", {"member": member, "form": SetPasswordForm(member)}, status=200
        )
    form = SetPasswordForm(member, request.POST)
    if not form.is_valid():
        return _respond(request, "console/auth/invite.html", {"member": member, "form": form}, status=400)
    try:
        member = invite_accept(token=token, password=form.cleaned_data["new_password1"])
    except InviteInvalid:  # used a moment ago in another tab
        return _gone(request)
    login(request, member, backend=BACKEND)
    return HttpResponseRedirect(reverse("console:home"))
