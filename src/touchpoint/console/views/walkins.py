"""The counter's intake: a customer walks in with a faulty device, and the person serving them opens a
walk-in-warranty case in one form, then lands on the case to decide on the spot.

Only the counter team and leads open walk-ins (anyone else gets a 403 saying so). The customer is
found by email, phone or name (a plain GET search, no script needed) or added; a known customer's
record is never overwritten by what is typed. A one-off nonce makes a double click open one case."""

from __future__ import annotations

import secrets
from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Q, Value
from django.db.models.functions import Replace
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from touchpoint.core.forms import whole_number
from touchpoint.customers.models import Customer
from touchpoint.customers.services import email_normalise
from touchpoint.flows.walkins import (
    COUNTER_TEAM,
    DEVICE_MAX,
    NOTES_MAX,
    SERIAL_MAX,
    NewCustomer,
    WalkIn,
    WalkInRefused,
    walkin_open,
)
from touchpoint.staff.access import has_role, staff_required
from touchpoint.staff.models import StaffUser
from touchpoint.staff.selectors import teams_of

FOUND_MAX = 10  # a counter search is for one person: a few rows, the box narrows it
NEW = "new"


def may_open_walkins(user: Any) -> bool:
    """The counter team and leads serve walk-ins."""
    return isinstance(user, StaffUser) and (has_role(user, "lead") or COUNTER_TEAM in teams_of(user))


class WalkInForm(forms.Form):
    nonce = forms.CharField(max_length=64, widget=forms.HiddenInput)
    customer = forms.CharField(
        max_length=20, error_messages={"required": "Choose the customer, or add them as a new customer."}
    )
    name = forms.CharField(max_length=200, required=False, strip=True)
    email = forms.CharField(max_length=254, required=False, strip=True)
    phone = forms.CharField(max_length=40, required=False, strip=True)
    device = forms.CharField(
        max_length=DEVICE_MAX,
        strip=True,
        error_messages={"required": "Say what they brought in, e.g. “Nano Player 4G earbuds”."},
    )
    serial = forms.CharField(max_length=SERIAL_MAX, required=False, strip=True)
    problem_notes = forms.CharField(
        max_length=NOTES_MAX,
        strip=True,
        error_messages={"required": "Write what is wrong with it, in the customer's words."},
    )
    in_warranty = forms.ChoiceField(
        choices=[("yes", "Yes"), ("no", "No"), ("unsure", "Can't tell")],
        error_messages={
            "required": "Say whether the warranty is in force (or that you can't tell).",
            "invalid_choice": "Choose yes, no or can't tell.",
        },
    )
    has_receipt = forms.ChoiceField(
        choices=[("yes", "Yes"), ("no", "No")],
        error_messages={
            "required": "Say whether they have a receipt (it is never required).",
            "invalid_choice": "Choose yes or no.",
        },
    )

    def clean_customer(self) -> str:
        chosen = str(self.cleaned_data["customer"])
        if chosen != NEW and whole_number(chosen) is None:
            raise forms.ValidationError("Choose the customer from the list, or add them as a new customer.")
        return chosen

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("customer") == NEW:
            if not data.get("name"):
                self.add_error("name", "Write the new customer's name.")
            if not data.get("email"):
                self.add_error("email", "Enter their email address: their receipt goes there.")
        return data


def _found(query: str) -> list[Customer]:
    """Customers whose email, phone or name contains ``query`` (a search at the counter)."""
    query = query.strip()
    if len(query) < 2:
        return []
    digits = "".join(ch for ch in query if ch.isdigit())
    match = Q(email__icontains=query) | Q(name__icontains=query) | Q(phone__icontains=query)
    customers = Customer.objects.all()
    if len(digits) >= 4:
        # A phone number as typed ("07700900123") against one as stored ("07700 900123").
        spaced = Replace(Replace(Replace("phone", Value(" "), Value("")), Value("-"), Value("")), Value("+"), Value(""))
        customers = customers.annotate(phone_digits=spaced)
        match |= Q(phone_digits__contains=digits)
    return list(customers.filter(match).order_by("name", "pk")[:FOUND_MAX])


def _page(
    request: HttpRequest, *, form: WalkInForm | None, find: str, status: int = 200, problem: str = ""
) -> HttpResponse:
    found = _found(find)
    chosen = form["customer"].value() if form is not None else ""
    if chosen and chosen != NEW and all(str(c.pk) != chosen for c in found):
        # Keep the customer already chosen on the list, even when the search no longer shows them.
        pk = whole_number(str(chosen))
        kept = Customer.objects.filter(pk=pk).first() if pk is not None else None
        found = [kept, *found] if kept is not None else found
    context = {
        "form": form,
        "find": find,
        "found": found,
        "chosen": chosen or (NEW if not found else ""),
        "nonce": form["nonce"].value() if form is not None else secrets.token_urlsafe(16),
        "problem": problem,
        "searched": len(find.strip()) >= 2,
    }
    return render(request, "console/walkins/new.html", context, status=status)


def _forbidden(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "console/forbidden.html",
        {"role": "lead", "why": "Walk-ins are opened by the counter team and leads: ask a lead to add you to it."},
        status=403,
    )


@require_http_methods(["GET", "POST"])
@staff_required("agent")
def walkin_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, StaffUser)  # staff_required let only staff through
    if not may_open_walkins(user):
        return _forbidden(request)
    if request.method == "GET":
        return _page(request, form=None, find=str(request.GET.get("find", ""))[:100])
    form = WalkInForm(request.POST)
    find = str(request.POST.get("find", ""))[:100]
    if not form.is_valid():
        return _page(request, form=form, find=find, status=400, problem="Nothing was opened: see below.")
    data = form.cleaned_data
    customer = None
    new_customer = None
    if data["customer"] == NEW:
        new_customer = NewCustomer(data["name"], data["email"], data["phone"])
    else:
        customer = Customer.objects.filter(pk=int(data["customer"])).first()  # digits: clean_customer
        if customer is None:
            form.add_error("customer", "That customer isn't on our records any more: search again.")
            return _page(request, form=form, find=find, status=400, problem="Nothing was opened: see below.")
    known = (
        Customer.objects.filter(email_key=email_normalise(new_customer.email)).first()
        if new_customer is not None
        else None
    )
    walkin = WalkIn(
        device=data["device"],
        serial=data["serial"],
        problem_notes=data["problem_notes"],
        in_warranty=data["in_warranty"] == "yes",  # can't tell is no: a lead decides, never a refusal
        has_receipt=data["has_receipt"] == "yes",
    )
    try:
        case = walkin_open(walkin=walkin, by=user, nonce=data["nonce"], customer=customer, new_customer=new_customer)
    except WalkInRefused as exc:
        if exc.field is not None and exc.field in form.fields:
            form.add_error(exc.field, str(exc))
            return _page(request, form=form, find=find, status=400, problem="Nothing was opened: see below.")
        return _page(request, form=form, find=find, status=400, problem=f"Nothing was opened: {exc}")
    if known is not None:
        messages.info(request, f"{known.name} was already a customer ({known.email}): their record is kept as it was.")
    messages.success(request, f"Walk-in opened for {case.customer.name}: {case.reference}.")
    return HttpResponseRedirect(reverse("console:case", args=[case.reference]))
