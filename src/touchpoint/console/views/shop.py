"""The shop's settings (leads and admins): identity, money and look, with the audit of every change;
and the shop's logo, served to anyone (it is in every email)."""

from __future__ import annotations

import re

from django.contrib import messages
from django.core.files.storage import default_storage
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from touchpoint.console.views.shop_forms import ShopSettingsForm
from touchpoint.payments.models import Payment
from touchpoint.shop.models import Area
from touchpoint.shop.selectors import setting_changes, shop_settings
from touchpoint.shop.services import SHOP_FIELDS, SettingsConflict, shop_settings_update
from touchpoint.staff.access import staff_required
from touchpoint.staff.models import StaffUser

LOGO_NAME = re.compile(r"[0-9a-f]{24}\.(?:jpg|png|webp)", re.ASCII)
LOGO_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


def _page(request: HttpRequest, form: ShopSettingsForm, *, status: int = 200, problem: str = "") -> HttpResponse:
    row = shop_settings()
    context = {
        "form": form,
        "shop": row,
        "logo_url": reverse("console:shop_logo", args=[(row.logo.name or "").rsplit("/", 1)[-1]]) if row.logo else "",
        "changes": setting_changes(areas=(Area.SHOP,)),
        "problem": problem,
    }
    return render(request, "console/shop/settings.html", context, status=status)


def _initial() -> dict[str, str]:
    row = shop_settings()
    values = {field: getattr(row, field) for field in SHOP_FIELDS}
    return {"stamp": row.stamp, **values, "currency": row.currency.upper()}  # as people write it: GBP


@require_http_methods(["GET", "POST"])
@staff_required("lead")
def settings_page(request: HttpRequest) -> HttpResponse:
    # Once money has been taken, the currency it was taken in stays.
    locked = shop_settings().currency if Payment.objects.exists() else ""
    if request.method == "GET":
        return _page(request, ShopSettingsForm(initial=_initial(), currency_locked=locked))
    user = request.user
    assert isinstance(user, StaffUser)  # staff_required let only staff through
    form = ShopSettingsForm(request.POST, request.FILES, initial=_initial(), currency_locked=locked)
    if not form.is_valid():
        return _page(request, form, status=400, problem="Nothing was saved: see below.")
    data = form.cleaned_data
    try:
        changes = shop_settings_update(
            by=user,
            values={field: data[field] for field in SHOP_FIELDS},
            stamp=data["stamp"],
            logo=data["logo"],
            logo_remove=data["logo_remove"],
        )
    except SettingsConflict:
        # Keep what this person typed, on top of the settings as they are now.
        fresh = request.POST.copy()
        fresh["stamp"] = shop_settings().stamp
        problem = (
            "Nothing was saved: someone else saved the settings while you were editing (see the changes below). "
            "Check what you typed against theirs and save again."
        )
        return _page(
            request, ShopSettingsForm(fresh, initial=_initial(), currency_locked=locked), status=409, problem=problem
        )
    if changes:
        fields = ", ".join(sorted({c.field.replace("_", " ") for c in changes}))
        messages.success(request, f"Saved: {fields}.")
    else:
        messages.info(request, "Nothing had changed, so nothing was saved.")
    return HttpResponseRedirect(reverse("console:shop"))


@require_GET
def logo(request: HttpRequest, name: str) -> HttpResponse:
    """A logo the shop has had (emails already sent show the one they were sent with). Public: it
    is in every email. Each logo has its own random name, so an old email never shows a newer one."""
    if not LOGO_NAME.fullmatch(name):
        raise Http404("no such logo")
    try:
        with default_storage.open(f"shop/{name}", "rb") as stored:
            data = stored.read()
    except FileNotFoundError:
        raise Http404("no such logo") from None
    response = HttpResponse(data, content_type=LOGO_TYPES[name.rsplit(".", 1)[1]])
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
