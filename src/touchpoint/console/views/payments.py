"""Payments on the staff case view: every attempt, and recording money that arrived offline.

Intake (or a lead) records a bank transfer, an invoice paid or money taken at the counter; the
case moves on with ``offline_payment_received`` in the same transaction. The form carries the
case version the page was drawn with, so a stale page can't record a payment twice."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from html import escape
from typing import Any

from django import forms
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS_3
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.views.decorators.http import require_POST

from touchpoint.cases.actors import ROLES, staff_actor
from touchpoint.cases.errors import CaseConflict, TransitionRefused
from touchpoint.cases.journeys import journey_of
from touchpoint.cases.models import Case
from touchpoint.journeys import Actor, valid_events
from touchpoint.payments.models import OfflineMethod, Provider
from touchpoint.payments.selectors import PaymentLine, case_payment_lines, case_price
from touchpoint.payments.services import PaymentRefused, offline_payment_record
from touchpoint.staff.access import has_role, staff_required
from touchpoint.staff.models import StaffUser
from touchpoint.staff.selectors import teams_of

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


def _may_record_now(case: Case, user: Any) -> bool:
    """:func:`may_record` and :func:`_journey_allows` together, reading the user's teams once, and
    only in a state where the journey takes a payment at all."""
    if not isinstance(user, StaffUser) or not user.is_active:
        return False
    journey = journey_of(case.journey)
    if EVENT not in journey.events_from(case.state):
        return False
    teams = teams_of(user)
    if not (has_role(user, "lead") or "intake" in teams):
        return False
    actor = Actor("staff", role=ROLES.get(user.role), teams=teams)
    return EVENT in valid_events(journey, state=case.state, data=case.data, actor=actor)


def payment_panel(request: HttpRequest, case: Case) -> dict[str, Any] | None:
    """Every payment attempt; the "payment received" form while the case waits for one."""
    payments = case_payment_lines(case=case)
    can_record = _may_record_now(case, request.user)
    if not payments and not can_record:
        return None
    fields = _Fields(version=str(case.version))
    if can_record:
        price = case_price(case=case)
        fields = _Fields(version=str(case.version), amount="" if price is None else f"{price:f}")
    return _context(case, payments, fields, can_record)


_METHOD_CHOICES = OfflineMethod.choices


@dataclass(frozen=True)
class _Fields:
    """What the form's inputs show: the defaults, or what was sent with its errors (:meth:`of`)."""

    version: str
    amount: str = ""
    method: str = OfflineMethod.BANK_TRANSFER.value
    reference: str = ""
    errors: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, form: RecordPaymentForm) -> _Fields:
        def value(name: str) -> str:
            raw = form[name].value()
            return "" if raw is None else str(raw)

        errors = {
            name: [str(e) for e in form.errors[name]]
            for name in ("amount", "method", "reference")
            if name in form.errors
        }
        return cls(value("version"), value("amount"), value("method"), value("reference"), errors)

    @property
    def method_options(self) -> SafeString:
        return mark_safe(  # noqa: S308 - values and labels escaped
            "".join(
                f'<option value="{escape(v)}"{" selected" if v == self.method else ""}>{escape(str(label))}</option>'
                for v, label in _METHOD_CHOICES
            )
        )


def _rows(payments: list[PaymentLine]) -> SafeString:
    """The table's rows, built here rather than in a template loop; every stored value is escaped."""
    tz = timezone.get_current_timezone()
    rows = []
    for p in payments:
        at = timezone.localtime(p.created_at, tz)
        if p.provider == Provider.STRIPE:
            how = "Card" + (f" <code>{escape(Truncator(p.provider_ref).chars(24))}</code>" if p.provider_ref else "")
        else:
            how = escape(p.method_label)
            how += f" · {escape(p.reference)}" if p.reference else ""
            how += f" · recorded by {escape(p.recorded_by)}" if p.recorded_by else ""
        problem = f' <span class="muted">({escape(p.problem)})</span>' if p.problem else ""
        rows.append(
            "<tr>\n"
            f"    <td>{at.day} {str(MONTHS_3[at.month]).title()} {at:%H:%M}</td>\n"
            f"    <td>{how}</td>\n"
            f'    <td class="num">{p.amount:f} {escape(p.currency.upper())}</td>\n'
            f"    <td>{escape(p.status_label)}{problem}</td>\n"
            "  </tr>"
        )
    return mark_safe("\n  ".join(rows))  # noqa: S308 - every value from the database escaped


def _context(case: Case, payments: list[PaymentLine], fields: _Fields, can_record: bool) -> dict[str, Any]:
    return {
        "case": case,
        "payments": payments,
        "rows": _rows(payments) if payments else "",
        "fields": fields,
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
    panel = {**_context(case, case_payment_lines(case=case), _Fields.of(form), can_record), "problem": problem}
    return render(request, "console/payments/record.html", {"case": case, "panel": panel}, status=status)
