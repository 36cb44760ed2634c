"""Two-factor sign-in in the console: the code step after the password, setting up an authenticator
app (and moving it to a new phone), recovery codes (shown once), and a lead's reset of a colleague's
two-factor.

The rules live in :mod:`touchpoint.staff.two_factor`; :mod:`touchpoint.staff.gate` keeps a session
that owes a code (or owes setting it up) away from every other page. A wrong code counts toward the
same lockout as a wrong password (django-axes, per username and address)."""

from __future__ import annotations

from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_ip_address
from axes.utils import reset as axes_reset
from django import forms
from django.contrib.auth import logout
from django.contrib.auth.signals import user_login_failed
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from touchpoint.console.views.auth import _next_url, locked_out
from touchpoint.staff.access import staff_required
from touchpoint.staff.gate import owed_step, step_url
from touchpoint.staff.models import StaffUser
from touchpoint.staff.two_factor import (
    OWES_CODE,
    CodeCheck,
    ResetRefused,
    code_check,
    has_device,
    is_verified,
    qr_data_uri,
    recovery_codes_issue,
    reset_refusal,
    secret_for_typing,
    session_verify,
    totp_device_confirm,
    totp_device_pending,
    two_factor_required,
    two_factor_reset,
    two_factor_status,
    verified_by_app,
)

WRONG_CODE = (
    "That code didn't work. Type the 6 digits your authenticator app shows now (each code works once), "
    "or one of your recovery codes."
)


RECOVERY_SESSION = (
    "You signed in with a recovery code, so your phone can't be moved from this session: someone with "
    "your password and a recovery code mustn't be able to swap in their own phone. With the old phone, "
    "sign in with its code and move it; if it is lost, ask a lead (or an admin) to reset your two-factor "
    "sign-in, then set it up on the new phone."
)


class CodeForm(forms.Form):
    code = forms.CharField(
        max_length=64,
        error_messages={
            "required": "Type the 6-digit code from your authenticator app, or a recovery code.",
            "max_length": "That is longer than any code: type the 6 digits from your app, or a recovery code.",
        },
    )


class SetupForm(forms.Form):
    code = forms.CharField(
        max_length=64,
        error_messages={
            "required": "Type the 6-digit code your authenticator app shows for Touchpoint.",
            "max_length": "That is longer than a code: type the 6 digits your app shows.",
        },
    )


class ResetForm(forms.Form):
    reason = forms.CharField(
        max_length=200,
        error_messages={
            "required": "Say why (for example “lost phone”): it is kept with the reset.",
            "max_length": "Keep the reason under 200 characters.",
        },
    )


def _wait_words(check: CodeCheck) -> str:
    until = timezone.localtime(check.wait_until).strftime("%H:%M:%S") if check.wait_until else "a few seconds"
    return f"Too many wrong codes in a row: wait until {until}, then try again."


def _code_failed(request: HttpRequest, user: StaffUser) -> bool:
    """Count a wrong code as a failed sign-in (axes listens to Django's own signal for these); True when
    that locked the username from this address."""
    user_login_failed.send(sender=__name__, credentials={"username": user.get_username()}, request=request)
    return bool(getattr(request, "axes_locked_out", False))


def _locked(request: HttpRequest, user: StaffUser) -> bool:
    return bool(AxesProxyHandler.is_locked(request, {"username": user.get_username()}))


def _signed_out_locked(request: HttpRequest, user: StaffUser) -> HttpResponse:
    """The half-signed-in session ends, and the sign-in page says until when the lock lasts."""
    logout(request)
    return locked_out(request, None, {"username": user.get_username()})


@sensitive_post_parameters("code")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def sign_in_code(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: a code from the authenticator app or a recovery code."""
    next_url = _next_url(request)
    user = request.user
    if not isinstance(user, StaffUser):
        return redirect_to_login(next_url)
    if is_verified(user):
        return HttpResponseRedirect(next_url)
    if not has_device(user):  # reset by a lead meanwhile: set it up again (leads), or carry on (agents)
        request.session.pop(OWES_CODE, None)
        owed = owed_step(request)
        return HttpResponseRedirect(step_url(owed, next_url=next_url) if owed else next_url)
    form = CodeForm(request.POST if request.method == "POST" else None)
    status = 200
    if form.is_valid():
        if _locked(request, user):
            return _signed_out_locked(request, user)
        check = code_check(user=user, code=form.cleaned_data["code"])
        if check.device is not None:
            session_verify(request, device=check.device)
            # A full sign-in forgets earlier failures, as the password step does.
            axes_reset(ip=get_client_ip_address(request), username=user.get_username())
            return HttpResponseRedirect(next_url)
        if _code_failed(request, user):
            return _signed_out_locked(request, user)
        form.add_error("code", _wait_words(check) if check.wait_until else WRONG_CODE)
    if form.is_bound:
        status = 400
    return render(request, "console/two_factor/code.html", {"form": form, "next": next_url}, status=status)


@sensitive_post_parameters("code")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def setup(request: HttpRequest) -> HttpResponse:
    """Two-factor sign-in for the person signed in: set up an authenticator app (QR code and the secret
    to type), or see that it is on and get new recovery codes."""
    user = request.user
    next_url = _next_url(request)
    if not isinstance(user, StaffUser):
        return redirect_to_login(request.get_full_path())
    if has_device(user):
        if not is_verified(user):  # owes a code first: the gate sends them there, this is the backstop
            return HttpResponseRedirect(step_url("code", next_url=request.get_full_path()))
        status = two_factor_status(user=user)
        moved = request.GET.get("moved") == "1"
        return render(request, "console/two_factor/on.html", {"status": status, "next": next_url, "moved": moved})
    form, device = _app_form(request)
    if device.confirmed:
        session_verify(request, device=device)
        codes = recovery_codes_issue(user=user)
        return _codes_page(request, codes, first=True, next_url=next_url)
    context = {"required": two_factor_required(user), "owed": owed_step(request) == "setup"}
    return _app_page(request, form, device, next_url=next_url, moving=False, **context)


@sensitive_post_parameters("code")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
@staff_required("agent")
def new_phone(request: HttpRequest) -> HttpResponse:
    """Move one's authenticator app to a new phone without a lead, with the old phone in hand: a session
    that gave a code from the old app sets up the new one; once the new app's code is typed, the old
    app's codes stop working. Recovery codes stay as they are. A session that came in with a recovery
    code is told to ask a lead (a lost phone is a second person's reset: ``verified_by_app``)."""
    user = request.user
    assert isinstance(user, StaffUser)  # staff_required
    if not has_device(user) or not is_verified(user):
        return HttpResponseRedirect(reverse("console:two_factor"))
    if not verified_by_app(user):
        return render(request, "console/forbidden.html", {"why": RECOVERY_SESSION}, status=403)
    form, device = _app_form(request)
    if device.confirmed:
        session_verify(request, device=device)
        return HttpResponseRedirect(reverse("console:two_factor") + "?moved=1")
    return _app_page(request, form, device, next_url=_next_url(request), moving=True, required=False, owed=False)


def _app_form(request: HttpRequest) -> tuple[SetupForm, Any]:
    """The authenticator app being set up, and the form that confirms it with the app's code (the
    device comes back confirmed when the code was right)."""
    assert isinstance(request.user, StaffUser)
    device = totp_device_pending(user=request.user)
    form = SetupForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        if totp_device_confirm(device=device, code=form.cleaned_data["code"]):
            return form, device
        form.add_error(
            "code",
            "That code didn't match. Check the app shows Touchpoint for this account and type the 6 digits it "
            "shows now; if you just typed a wrong one, wait a few seconds.",
        )
    return form, device


def _app_page(request: HttpRequest, form: SetupForm, device: Any, *, next_url: str, **context: Any) -> HttpResponse:
    context.update(form=form, next=next_url, qr=qr_data_uri(device), secret=secret_for_typing(device))
    return render(request, "console/two_factor/setup.html", context, status=400 if form.is_bound else 200)


def _codes_page(request: HttpRequest, codes: list[str], *, first: bool, next_url: str) -> HttpResponse:
    download = "\n".join(["Touchpoint recovery codes (each works once)", *codes, ""])
    context = {"codes": codes, "first": first, "next": next_url, "download": download}
    return render(request, "console/two_factor/codes.html", context)


@csrf_protect
@never_cache
@require_POST
@staff_required("agent")
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """New recovery codes, shown once; the earlier ones stop working."""
    user = request.user
    assert isinstance(user, StaffUser)  # staff_required
    if not is_verified(user):  # only a session that gave a code may see new codes
        return HttpResponseRedirect(reverse("console:two_factor"))
    return _codes_page(request, recovery_codes_issue(user=user), first=False, next_url=_next_url(request))


@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
@staff_required("lead")
def member(request: HttpRequest, username: str) -> HttpResponse:
    """A colleague's two-factor, as a lead sees it: on or not, its resets, and resetting it."""
    found = StaffUser.objects.filter(username=username, is_active=True).first()
    if found is None:
        raise Http404("no active staff member by that name")
    refusal = reset_refusal(by=request.user, member=found)
    form = ResetForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if refusal is not None:
            return render(request, "console/forbidden.html", {"why": refusal}, status=403)
        if form.is_valid():
            assert isinstance(request.user, StaffUser)  # staff_required
            try:
                two_factor_reset(member=found, by=request.user, reason=form.cleaned_data["reason"])
            except ResetRefused as refused:  # the rule changed between the page and the button
                return render(request, "console/forbidden.html", {"why": str(refused)}, status=403)
            return HttpResponseRedirect(reverse("console:two_factor_member", args=[found.username]) + "?reset=1")
    context: dict[str, Any] = {
        "member": found,
        "status": two_factor_status(user=found),
        "required": two_factor_required(found),
        "refusal": refusal,
        "form": form,
        "done": request.GET.get("reset") == "1",
        "resets": found.two_factor_resets.select_related("reset_by")[:10],
    }
    return render(request, "console/two_factor/member.html", context, status=400 if form.is_bound else 200)
