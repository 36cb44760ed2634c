"""The parcels on the customer's case page: each one's journey in its carrier's words, with the
carrier's own tracking link; and, while the parcel they posted to us travels without a number, the
form to give its tracking number (``shipping.given``: recorded as the scan station records a typed one,
then registered with the shop's tracker by the worker)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from touchpoint.cases.journeys import journey_of
from touchpoint.cases.models import Case
from touchpoint.portal.access import case_link
from touchpoint.portal.forms.parcel import ParcelForm, parcel_given
from touchpoint.portal.views.actions import TOO_MANY, parcel_limit_hit
from touchpoint.shipping.given import (
    NumberRefused,
    inbound_number,
    number_wanted_later,
    parcel_give,
    tracking_number_read,
)
from touchpoint.shipping.selectors import parcels_shown

# Each leg as the customer thinks of it (the staff words are the shop's point of view).
LEG_WORDS = {
    "box": "Your repair kit",
    "inbound": "Your device, on its way to us",
    "return": "Your device, on its way home",
}
NOT_NOW = "We can't take a tracking number at this step, so nothing was changed. Here is where things are now."
CHECK = "Something needs another look before we can take it: see below. Nothing was changed yet."


def parcels_panel(request: HttpRequest, case: Case, token: str) -> dict[str, Any] | None:
    """Shown once a parcel can be followed: the carrier's scans, or the parcel it holds now; and the
    number's form while the parcel coming to us has none. No query for a case in a state no parcel can
    have left by (the case's journey comes with it)."""
    journey = journey_of(case.journey)
    parcels = parcels_shown(case=case, journey=journey)
    form = ParcelForm() if number_wanted_later(case=case, journey=journey) else None
    if not parcels and form is None:
        return None
    return {
        "token": token,
        "form": form,
        "parcels": [{"parcel": parcel, "leg": LEG_WORDS.get(parcel.leg, "Your parcel")} for parcel in parcels],
    }


def _again(request: HttpRequest, case: Case, token: str, form: ParcelForm, problem: str, status: int) -> HttpResponse:
    context = {"case": case, "token": token, "form": form, "problem": problem}
    return render(request, "portal/tracking/parcel.html", context, status=status)


@require_POST
@case_link
def parcel_number_give(request: HttpRequest, case: Case, token: str) -> HttpResponse:
    """The tracking number of the parcel the customer posted, given on its own while it travels. The
    same number twice is one parcel; anything wrong comes back with what was typed and a sentence."""
    form = ParcelForm(request.POST)
    if not form.is_valid():
        return _again(request, case, token, form, CHECK, 400)
    given = parcel_given(form.cleaned_data)
    assert given is not None  # the form requires the number
    if inbound_number(case=case) == tracking_number_read(given[0]):  # sent twice: it counts once
        return _back(request, token, "We already have that tracking number: it only counts once.")
    if not number_wanted_later(case=case, journey=journey_of(case.journey)):
        return _again(request, case, token, form, NOT_NOW, 409)
    if not parcel_limit_hit(request):
        return _again(request, case, token, form, TOO_MANY, 429)
    try:
        with transaction.atomic():
            parcel_give(case=case, tracking_number=given[0], carrier=given[1])
    except NumberRefused as refused:
        form.add_error("tracking_number", refused.message)
        return _again(request, case, token, form, CHECK, 400)
    return _back(request, token, "Thanks: we've got your parcel's tracking number, and follow it from here.")


def _back(request: HttpRequest, token: str, said: str) -> HttpResponse:
    messages.success(request, said)
    response = redirect(reverse("portal:case", args=[token]) + "#parcels")
    response.status_code = 303  # see other: a reload of the case page never sends the number again
    return response
