"""The scan station: type or scan a code, record "arrived" or "dispatched" in one step.

Post/redirect/get: each scan is a POST that records and redirects back to the page, whose code
box has ``autofocus``, so a USB barcode scanner (a keyboard that types the code and Enter) works
scan after scan with JavaScript off. The chosen action and this session's scans live in the session."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from touchpoint.core.clock import now
from touchpoint.shipping.services import ScanResult, scan_record
from touchpoint.staff.access import staff_required
from touchpoint.staff.models import StaffUser

LOG_KEY, ACTION_KEY, FRESH_KEY = "scan_log", "scan_action", "scan_fresh"
LOG_LENGTH = 30


class ScanForm(forms.Form):
    code = forms.CharField(
        label="Case reference or tracking number",
        max_length=60,
        error_messages={"required": "Type or scan a code: a case reference such as TP-4K7Q9, or a tracking number."},
    )
    action = forms.ChoiceField(
        label="What happened",
        choices=[("arrived", "Arrived"), ("dispatched", "Dispatched")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose Arrived or Dispatched.", "invalid_choice": "Choose Arrived or Dispatched."},
    )
    tracking_number = forms.CharField(label="Tracking number (dispatch)", max_length=60, required=False)
    carrier = forms.CharField(label="Carrier (dispatch)", max_length=60, required=False)
    # A repair kit carries the label the device comes back in: its tracking number makes that trip a
    # tracked parcel too, whose first scan tells us the device is posted.
    inbound_tracking_number = forms.CharField(
        label="Return label's tracking number (repair kit)", max_length=60, required=False
    )


def _log(request: HttpRequest) -> list[dict[str, Any]]:
    log = request.session.get(LOG_KEY)
    return log if isinstance(log, list) else []


def _shown(entry: dict[str, Any]) -> dict[str, Any]:
    times = {key: entry.get(key) for key in ("at", "scanned_at")}
    return {**entry, **{k: datetime.fromisoformat(v) if isinstance(v, str) else None for k, v in times.items()}}


def _remember(request: HttpRequest, result: ScanResult) -> None:
    entry = {**asdict(result), "at": result.at.isoformat() if result.at else None, "scanned_at": now().isoformat()}
    request.session[LOG_KEY] = [entry, *_log(request)][:LOG_LENGTH]
    request.session[ACTION_KEY] = result.action
    request.session[FRESH_KEY] = True  # shown once, on the page the scan redirects to


@require_http_methods(["GET", "POST"])
@staff_required("agent")
def scan(request: HttpRequest) -> HttpResponse:
    action = request.session.get(ACTION_KEY, "arrived")
    if request.method == "POST":
        form = ScanForm(request.POST)
        if form.is_valid():
            user = request.user
            if not isinstance(user, StaffUser):  # staff_required lets only staff through; this tells the type
                raise PermissionDenied
            result = scan_record(
                code=form.cleaned_data["code"],
                action=form.cleaned_data["action"],
                user=user,
                carrier=form.cleaned_data["carrier"],
                tracking_number=form.cleaned_data["tracking_number"],
                inbound_tracking_number=form.cleaned_data["inbound_tracking_number"],
            )
            _remember(request, result)
            return redirect("console:scan")
        fresh = False
    else:
        form = ScanForm(initial={"action": action if action in ("arrived", "dispatched") else "arrived"})
        fresh = bool(request.session.pop(FRESH_KEY, False))
    log = [_shown(entry) for entry in _log(request)]
    context = {"form": form, "latest": log[0] if log and fresh else None, "log": log}
    return render(request, "console/scan/station.html", context)
