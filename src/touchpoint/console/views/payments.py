"""Payments on the staff case view: where the case's money stands, every attempt, the refunds owed,
and the one way to record money that arrived offline.

Intake (or a lead, where the journey allows) records a bank transfer, an invoice paid or money
taken at the counter; the case's state says what for: the order (``offline_payment_received``) or
the balance of approved extra work (``balance_paid``). A refund a person must pay back is marked
paid back here. Every form carries the case version the page was drawn with, so a stale page
can't record anything twice."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django import forms
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from touchpoint.cases.actors import ROLES
from touchpoint.cases.errors import CaseConflict, TransitionRefused
from touchpoint.cases.journeys import journey_of
from touchpoint.cases.models import Case
from touchpoint.core.forms import MoneyField
from touchpoint.flows.payments import PaymentRefused, offline_event, offline_payment_record
from touchpoint.flows.refunds import RefundRefused, paid_how, refund_mark_paid_back
from touchpoint.journeys import Actor, valid_events
from touchpoint.payments.models import PERSON_OWES, OfflineMethod, Refund
from touchpoint.payments.selectors import (
    CaseMoney,
    PaymentLine,
    case_money,
    case_payment_lines,
    case_price,
    case_refunds,
)
from touchpoint.staff.access import has_role, staff_required
from touchpoint.staff.models import StaffUser
from touchpoint.staff.selectors import teams_of

RECORDERS = "the intake team or a lead"
FORM_TITLES = {"offline_payment_received": "Payment received", "balance_paid": "Balance received"}


class RecordPaymentForm(forms.Form):
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    amount = MoneyField(
        min_value=Decimal("0.01"),
        error_messages={
            "required": "Enter the amount that arrived, e.g. 39.00.",
            "invalid": "Enter the amount as a number, e.g. 39.00.",
            "min_value": "The amount must be more than zero.",
            "max_decimal_places": "Use at most two decimal places, e.g. 39.50.",
            "max_value": "That amount is too large: check it against the statement.",
        },
    )
    method = forms.ChoiceField(
        choices=OfflineMethod.choices,
        error_messages={"required": "Choose how it was paid.", "invalid_choice": "Choose how it was paid."},
    )
    reference = forms.CharField(max_length=200, required=False, strip=True)


class PaidBackForm(forms.Form):
    version = forms.IntegerField(min_value=1)
    note = forms.CharField(max_length=200, required=False, strip=True)


def may_record(user: Any) -> bool:
    if not isinstance(user, StaffUser) or not user.is_active:
        return False
    return has_role(user, "lead") or user.teams.filter(slug="intake").exists()


def _may_record_now(case: Case, user: Any) -> bool:
    """:func:`may_record`, and the journey lets this person record the payment the case waits for
    now, reading the user's teams once, and only in a state that takes a payment at all."""
    event = offline_event(case=case)
    if event is None or not isinstance(user, StaffUser) or not user.is_active:
        return False
    journey = journey_of(case.journey)
    if event not in journey.events_from(case.state):
        return False
    teams = teams_of(user)
    if not (has_role(user, "lead") or "intake" in teams):
        return False
    actor = Actor("staff", role=ROLES.get(user.role), teams=teams)
    return event in valid_events(journey, state=case.state, data=case.data, actor=actor)


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
    def methods(self) -> list[tuple[str, str, bool]]:
        return [(value, str(label), value == self.method) for value, label in OfflineMethod.choices]


@dataclass(frozen=True)
class _RefundRow:
    pk: int
    created_at: Any
    amount: str
    status: str
    status_label: str
    event: str
    how: str
    problem: str
    owed_by_person: bool
    due_at: Any
    paid_back_by: str
    paid_back_note: str


def _refund_rows(case: Case, refunds: list[Refund], figures: CaseMoney) -> list[_RefundRow]:
    journey = journey_of(case.journey)
    return [
        _RefundRow(
            pk=r.pk,
            created_at=r.created_at,
            amount=figures.money(r.amount),
            status=r.status,
            status_label=r.get_status_display(),
            event=journey.event_label(r.event) if r.event else "",
            how=paid_how(r.payment, case),
            problem=r.problem,
            owed_by_person=r.status in PERSON_OWES,
            due_at=r.task.due_at if r.task is not None else None,
            paid_back_by=str(r.paid_back_by) if r.paid_back_by is not None else "",
            paid_back_note=r.paid_back_note,
        )
        for r in refunds
    ]


def payment_panel(request: HttpRequest, case: Case) -> dict[str, Any] | None:
    """Where the money stands, every payment attempt and refund; the "received" form while the case
    waits for a payment this person may record."""
    payments = case_payment_lines(case=case)
    can_record = _may_record_now(case, request.user)
    if not payments and not can_record:
        return None
    return _context(case, payments, None, can_record, request.user)


def _figures(figures: CaseMoney | None) -> list[tuple[str, str]]:
    """Where the money stands, as the panel lists it: what there is to say, each formatted once."""
    if figures is None:
        return []
    rows = [("Price", figures.money(figures.price))]
    if figures.postage:  # the service level chosen with the order is part of its price (and of a full refund)
        rows.append((f"of which postage ({figures.postage_name})", figures.money(figures.postage)))
    rows.append(("Paid", figures.money(figures.paid)))
    if figures.extra:
        rows.append(("Extra work approved", figures.money(figures.extra)))
        if figures.waived:
            rows.append(("Waived", figures.money(figures.waived)))
        rows.append(("Balance due", figures.money(figures.balance_due)))
    if figures.refunded:
        rows.append(("Refunded (owed or done)", figures.money(figures.refunded)))
    return rows


def _default_amount(case: Case, figures: CaseMoney | None) -> str:
    if offline_event(case=case) == "balance_paid" and figures is not None:
        return f"{figures.balance_due:f}"
    price = case_price(case=case)
    return "" if price is None else f"{price:f}"


def _context(
    case: Case, payments: list[PaymentLine], fields: _Fields | None, can_record: bool, user: Any
) -> dict[str, Any]:
    # Only a case where money moved (or is about to) reads its figures: the case view stays lean.
    figures = case_money(case=case) if payments or can_record else None
    refunds = case_refunds(case=case) if payments else []
    if fields is None:
        fields = _Fields(version=str(case.version), amount=_default_amount(case, figures) if can_record else "")
    event = offline_event(case=case)
    rows = _refund_rows(case, refunds, figures) if figures is not None else []
    return {
        "case": case,
        "figures": _figures(figures),
        "balance_due": figures.money(figures.balance_due) if figures is not None and figures.balance_due else "",
        "payments": payments,
        "refunds": rows,
        "may_pay_back": any(row.owed_by_person for row in rows) and may_record(user),
        "version": case.version,
        "fields": fields,
        "can_record": can_record,
        "form_title": FORM_TITLES.get(event or "", "Payment received"),
        "for_balance": event == "balance_paid",
        "currency": (figures.currency if figures is not None else "gbp").upper(),
        "recorders": RECORDERS,
    }


def _case_of(reference: str) -> Case:
    case = Case.objects.select_related("journey", "customer").filter(reference=reference).first()
    if case is None:
        raise Http404(f"there is no case {reference}")
    return case


@require_POST
@staff_required("agent")
def payment_record(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case_of(reference)
    user = request.user
    assert isinstance(user, StaffUser)  # staff_required let only staff through
    if not may_record(user):
        return render(request, "console/payments/forbidden.html", {"recorders": RECORDERS, "case": case}, status=403)
    form = RecordPaymentForm(request.POST)
    if not form.is_valid():
        return _again(request, case, _Fields.of(form), "", 400)
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
        return _again(request, case, _Fields.of(_fresh(request, case)), problem, 409)
    except (TransitionRefused, PaymentRefused) as exc:
        return _again(request, case, _Fields.of(form), f"Nothing was recorded: {exc}", 409)
    return HttpResponseRedirect(reverse("console:case", args=[case.reference]), status=303)


@require_POST
@staff_required("agent")
def refund_paid_back(request: HttpRequest, reference: str, refund_id: int) -> HttpResponse:
    """A person has paid a refund back by hand: recorded, audited on the timeline, its task closed."""
    case = _case_of(reference)
    user = request.user
    assert isinstance(user, StaffUser)
    if not may_record(user):
        return render(request, "console/payments/forbidden.html", {"recorders": RECORDERS, "case": case}, status=403)
    refund = Refund.objects.filter(pk=refund_id, case=case).first()
    if refund is None:
        raise Http404(f"{case.reference} has no refund {refund_id}")
    form = PaidBackForm(request.POST)
    if not form.is_valid():
        return _again(request, case, None, "That form was incomplete: reload the page and mark it again.", 400)
    try:
        refund_mark_paid_back(
            refund=refund, staff=user, seen_version=form.cleaned_data["version"], note=form.cleaned_data["note"]
        )
    except CaseConflict:
        problem = (
            f"{case.reference} changed while you were looking at it, so nothing was marked. "
            "Check the refunds below, then mark it again if it's still owed."
        )
        return _again(request, case, None, problem, 409)
    except RefundRefused as exc:
        return _again(request, case, None, f"Nothing was marked: {exc}", 409)
    return HttpResponseRedirect(reverse("console:case", args=[case.reference]), status=303)


def _fresh(request: HttpRequest, case: Case) -> RecordPaymentForm:
    """What was typed, carrying the case's current version so sending it again works."""
    data = request.POST.copy()
    data["version"] = str(Case.objects.values_list("version", flat=True).get(pk=case.pk))
    again = RecordPaymentForm(data)
    again.is_valid()
    return again


def _again(request: HttpRequest, case: Case, fields: _Fields | None, problem: str, status: int) -> HttpResponse:
    """The payment panel on its own page, as the case is now, with what was typed and what went wrong."""
    fresh = Case.objects.select_related("journey", "customer").get(pk=case.pk)
    can_record = _may_record_now(fresh, request.user)
    panel = {**_context(fresh, case_payment_lines(case=fresh), fields, can_record, request.user), "problem": problem}
    return render(request, "console/payments/record.html", {"case": fresh, "panel": panel}, status=status)
