"""Payments on the staff case view: every attempt, and recording money that arrived offline.

Intake (or a lead) records a bank transfer, an invoice paid or money taken at the counter; the
case moves on with ``offline_payment_received`` in the same transaction. The form carries the
case version the page was drawn with, so a stale page can't record a payment twice."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from touchpoint.cases.actors import staff_actor
from touchpoint.cases.errors import CaseConflict, TransitionRefused
from touchpoint.cases.journeys import journey_of
from touchpoint.cases.models import Case
from touchpoint.journeys import valid_events
from touchpoint.payments.models import OfflineMethod
from touchpoint.payments.selectors import case_payments, case_price
from touchpoint.payments.services import PaymentRefused, offline_payment_record
from touchpoint.staff.access import has_role, staff_required
from touchpoint.staff.models import StaffUser

EVENT = "offline_payment_received"
RECORDERS = "the intake team or a lead"


class RecordPaymentForm(forms.Form):
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    amount = forms.DecimalField(
        min_value=Decimal("0.01"),
        max_digits=10,
        decimal_places=2,
        error_messages={
            "required": "Enter the amount that arrived, e.g. 39.00.",
            "invalid": "Enter the amount as a number, e.g. 39.00.",
            "min_value": "The amount must be more than zero.",
            "max_decimal_places": "Use at most two decimal places, e.g. 39.50.",
            "max_digits": "That amount is too large: check it against the statement.",
        },
    )
    method = forms.ChoiceField(
        choices=OfflineMethod.choices,
        error_messages={"required": "Choose how it was paid.", "invalid_choice": "Choose how it was paid."},
    )
    reference = forms.CharField(max_length=200, required=False, strip=True)


def may_record(user: Any) -> bool:
    if not isinstance(user, StaffUser) or not user.is_active:
        return False
    return has_role(user, "lead") or user.teams.filter(slug="intake").exists()


def _journey_allows(case: Case, user: StaffUser) -> bool:
    actor = staff_actor(user).for_journey()
    return EVENT in valid_events(journey_of(case.journey), state=case.state, data=case.data, actor=actor)


def payment_panel(request: HttpRequest, case: Case) -> dict[str, Any] | None:
    """Every payment attempt; the "payment received" form while the case waits for one."""
    payments = case_payments(case=case)
    user = request.user
    can_record = may_record(user) and isinstance(user, StaffUser) and _journey_allows(case, user)
    if not payments and not can_record:
        return None
    price = case_price(case=case)
    form = RecordPaymentForm(initial={"version": case.version, "amount": price, "method": OfflineMethod.BANK_TRANSFER})
    return _context(case, payments, form, can_record)


def _context(case: Case, payments: list[Any], form: RecordPaymentForm, can_record: bool) -> dict[str, Any]:
    return {
        "case": case,
        "payments": payments,
        "form": form,
        "can_record": can_record,
        "currency": settings.TOUCHPOINT_CURRENCY.upper(),
        "recorders": RECORDERS,
    }


@require_POST
@staff_required("agent")
def payment_record(request: HttpRequest, reference: str) -> HttpResponse:
    case = Case.objects.select_related("journey", "customer").filter(reference=reference).first()
    if case is None:
        raise Http404(f"there is no case {reference}")
    user = request.user
    assert isinstance(user, StaffUser)  # staff_required let only staff through
    if not may_record(user):
        return render(request, "console/payments/forbidden.html", {"recorders": RECORDERS, "case": case}, status=403)
    form = RecordPaymentForm(request.POST)
    if not form.is_valid():
        return _again(request, case, form, "", 400)
    try:
        offline_payment_record(
            case=case,
            seen_version=form.cleaned_data["version"],
            staff=user,
            amount=form.cleaned_data["amount"],
            method=OfflineMethod(form.cleaned_data["method"]),
            reference=form.cleaned_data["reference"],
        )
    except CaseConflict:
        problem = (
            f"{case.reference} changed while you were looking at it, so nothing was recorded. "
            "Check the payments below (someone may have recorded it already), then record it again if it's still due."
        )
        return _again(request, case, _fresh(request, case), problem, 409)
    except (TransitionRefused, PaymentRefused) as exc:
        return _again(request, case, form, f"Nothing was recorded: {exc}", 409)
    return HttpResponseRedirect(reverse("console:case", args=[case.reference]), status=303)


def _fresh(request: HttpRequest, case: Case) -> RecordPaymentForm:
    """What was typed, carrying the case's current version so sending it again works."""
    data = request.POST.copy()
    data["version"] = str(case.version)
    again = RecordPaymentForm(data)
    again.is_valid()
    return again


def _again(request: HttpRequest, case: Case, form: RecordPaymentForm, problem: str, status: int) -> HttpResponse:
    user = request.user
    can_record = isinstance(user, StaffUser) and _journey_allows(case, user)
    panel = {**_context(case, case_payments(case=case), form, can_record), "problem": problem}
    return render(request, "console/payments/record.html", {"case": case, "panel": panel}, status=status)
