"""The scan station: type or scan a code, record "arrived" or "dispatched" in one step.

Post/redirect/get: each scan is a POST that records and redirects back to the page, whose code
box has ``autofocus``, so a USB barcode scanner (a keyboard that types the code and Enter) works
scan after scan with JavaScript off. The chosen action and this session's scans live in the session.

Before a dispatch, looking a case up (``?code=``) shows the label its parcel goes on: bought through
the aggregator while the shop packed it (printed from here, its tracking number filled in), or the
shop's own. Another number typed over a bought label needs a reason (the bought one is then voided)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from touchpoint.cases.models import Case
from touchpoint.core.clock import now
from touchpoint.shipping.labels import parcel_label_pdf
from touchpoint.shipping.postage import PostageError, label_fetch
from touchpoint.shipping.postage_buy import PackedLabel, labels_to_print, packed_label
from touchpoint.shipping.selectors import case_by_code
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
    label_reason = forms.CharField(
        label="Why not the bought label (when you type another number)", max_length=300, required=False
    )


class LookupForm(forms.Form):
    code = forms.CharField(max_length=60, required=False)


def _label_check(form: ScanForm) -> tuple[Case | None, PackedLabel | None]:
    """A dispatch checked against the label bought for the parcel: another number typed over it needs a
    reason; one still being bought waits, unless a number of another label is typed. Adds the form's
    errors; the case and its label, for the page."""
    data = form.cleaned_data
    case = case_by_code(data["code"]) if data["action"] == "dispatched" else None
    label = packed_label(case=case) if case is not None else None
    if case is None or label is None:
        return case, None
    typed = "".join(data["tracking_number"].split()).upper()
    if label.status == "bought" and typed and typed != label.tracking_number and not data["label_reason"].strip():
        form.add_error(
            "label_reason",
            f"{case.reference}'s parcel has {label.words} bought through {label.provider} ({label.tracking_number}). "
            "To send it on another label, say why here (the bought one is then voided), or clear the tracking "
            "number to use the bought label.",
        )
    if label.status == "buying" and not typed:
        form.add_error(
            "tracking_number",
            f"{label.words.capitalize()} for {case.reference} is still being bought through {label.provider}: "
            "scan it again in a minute. If it can't wait, print the shop's own label and type the carrier's "
            "tracking number here.",
        )
    return case, label


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
    case: Case | None = None
    label: PackedLabel | None = None
    if request.method == "POST":
        form = ScanForm(request.POST)
        if form.is_valid():
            case, label = _label_check(form)
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
                label_reason=form.cleaned_data["label_reason"].strip(),
            )
            _remember(request, result)
            return redirect("console:scan")
        fresh = False
    else:
        initial: dict[str, str] = {"action": action if action in ("arrived", "dispatched") else "arrived"}
        lookup = LookupForm(request.GET)
        code = lookup.cleaned_data["code"].strip() if lookup.is_valid() else ""
        if code:  # a parcel looked up before its dispatch: its label, and its number filled in
            case = case_by_code(code)
            label = packed_label(case=case) if case is not None else None
            initial.update(code=case.reference if case is not None else code, action="dispatched")
            if label is not None and label.status == "bought":
                initial.update(tracking_number=label.tracking_number, carrier=label.carrier)
        form = ScanForm(initial=initial)
        fresh = bool(request.session.pop(FRESH_KEY, False)) and not code
    log = [_shown(entry) for entry in _log(request)]
    # The label panel: for a lookup, and for a dispatch sent back about its label
    looked_up = (request.method == "POST" and case is not None) or bool(request.GET.get("code", "").strip())
    context = {
        "form": form,
        "latest": log[0] if log and fresh else None,
        "log": log,
        "looked_up": looked_up,
        "case": case,
        "label": label,
        "to_print": labels_to_print(),
    }
    return render(request, "console/scan/station.html", context)


@require_GET
@staff_required("agent")
def scan_label(request: HttpRequest, reference: str) -> HttpResponse:
    """The label of the parcel ``reference`` is about to dispatch, as a PDF to print: the one bought
    through the aggregator (fetched from it now, never stored), else the shop's own."""
    case = case_by_code(reference)
    label = packed_label(case=case) if case is not None else None
    if case is None or label is None:
        why = (
            f"No case has the reference {reference[:40]}."
            if case is None
            else f"{case.reference} has no parcel to dispatch at this step, so there is no label to print."
        )
        return render(request, "console/scan/label_missing.html", {"why": why}, status=404)
    filename = f"{case.reference}-{label.leg}-label.pdf"
    if label.status == "bought":
        try:
            body = label_fetch(label.label_url)
        except PostageError as exc:
            why = (
                f"{label.provider} didn't give the label file just now ({exc}). Try again in a minute; if it "
                "keeps failing, open the label from the aggregator's dashboard."
            )
            return render(request, "console/scan/label_missing.html", {"why": why}, status=502)
    else:
        body = parcel_label_pdf(case=case)
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
