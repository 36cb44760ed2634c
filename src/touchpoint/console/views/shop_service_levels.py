"""The shop's service levels (leads and admins): the ways the prepaid label can be bought, as the order
form offers them with their price. Add, edit, retire (never delete: cases name a level by its code)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from touchpoint.core.forms import MoneyField, WholeNumberField
from touchpoint.shipping.models import Provider, ServiceLevel
from touchpoint.shipping.service_levels import (
    ServiceLevelRefused,
    offers,
    price_of,
    service_level_changes,
    service_level_save,
)
from touchpoint.staff.access import staff_required
from touchpoint.staff.models import StaffUser

PRICE_MAX = Decimal("9999.99")


class ServiceLevelForm(forms.Form):
    """One service level; ``editing`` an existing one leaves its code out (cases name it)."""

    code = forms.SlugField(
        label="Code",
        help_text="The short name cases store, e.g. royal-mail-tracked-48. It can't change once added.",
        max_length=40,
        error_messages={
            "required": "Give it a code, the short name cases store, e.g. royal-mail-tracked-48.",
            "invalid": "A code has only lower-case letters, digits and hyphens, e.g. royal-mail-tracked-48.",
        },
    )
    name = forms.CharField(
        label="Name",
        help_text="As the customer reads it on the order form, e.g. Royal Mail Tracked 48.",
        max_length=100,
        strip=True,
        error_messages={"required": "Write its name as the customer reads it, e.g. Royal Mail Tracked 48."},
    )
    provider = forms.ChoiceField(
        label="Bought through",
        help_text="The aggregator that sells this label; “Any” for whichever the shop uses.",
        choices=[("", "Any"), *Provider.choices],
        required=False,
        error_messages={"invalid_choice": "Choose Any, AfterShip, EasyPost or Shippo."},
    )
    carrier = forms.CharField(
        label="Carrier",
        help_text="As the aggregator names it: EasyPost RoyalMail, Shippo Royal Mail.",
        max_length=60,
        strip=True,
        error_messages={"required": "Write the carrier as the aggregator names it, e.g. RoyalMail."},
    )
    service = forms.CharField(
        label="Carrier's service",
        help_text="As the aggregator names it: EasyPost Tracked48, Shippo royal_mail_tracked_48.",
        max_length=60,
        strip=True,
        error_messages={"required": "Write the carrier's service as the aggregator names it, e.g. Tracked48."},
    )
    price = MoneyField(
        label="Price",
        help_text="What the order form says this costs the customer.",
        max_value=PRICE_MAX,
        min_value=Decimal("0"),
        error_messages={"required": "Write its price, e.g. 4.50 (0 for free)."},
    )
    promised_days = WholeNumberField(
        label="Promised working days",
        help_text="How many working days the carrier promises, used when the label gives no date.",
        min_value=1,
        max_value=30,
        error_messages={
            "required": "Write the working days the carrier promises, e.g. 2.",
            "invalid": "Write the working days as a whole number, e.g. 2.",
            "min_value": "Write at least 1 working day.",
            "max_value": "Write at most 30 working days.",
        },
    )
    position = WholeNumberField(
        label="Place in the list",
        help_text="0 comes first; the first is preselected on the order form.",
        min_value=0,
        max_value=32767,
        error_messages={
            "required": "Write its place in the list (0 first).",
            "invalid": "Write its place as a whole number, e.g. 1.",
        },
    )
    active = forms.BooleanField(label="Offered on the order form", required=False)

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["code"]

    def clean_code(self) -> str:
        return str(self.cleaned_data["code"]).lower()

    def values(self) -> dict[str, Any]:
        """What the service stores: the price in the minor unit."""
        values = dict(self.cleaned_data)
        values["price_minor"] = int(values.pop("price") * 100)
        return values


def _user(request: HttpRequest) -> StaffUser:
    user = request.user
    assert isinstance(user, StaffUser)  # staff_required let only staff through
    return user


def _level(code: str) -> ServiceLevel:
    level = ServiceLevel.objects.filter(code=code).first()
    if level is None:
        raise Http404("no such service level")
    return level


def _page(
    request: HttpRequest,
    form: ServiceLevelForm,
    *,
    level: ServiceLevel | None = None,
    status: int = 200,
    problem: str = "",
) -> HttpResponse:
    levels = list(ServiceLevel.objects.order_by("-active", "position", "price_minor", "code"))
    context = {
        "offers": offers(levels),
        "form": form,
        "level": level,
        "problem": problem,
        "changes": service_level_changes(),
    }
    return render(request, "console/shop/service_levels.html", context, status=status)


@require_http_methods(["GET", "POST"])
@staff_required("lead")
def service_levels(request: HttpRequest) -> HttpResponse:
    """The list, and the form that adds one."""
    if request.method == "GET":
        return _page(request, ServiceLevelForm(initial={"active": True, "promised_days": 2, "position": 0}))
    form = ServiceLevelForm(request.POST)
    if form.is_valid() and ServiceLevel.objects.filter(code=form.cleaned_data["code"]).exists():
        form.add_error("code", f"There is already a service level {form.cleaned_data['code']}: edit it instead.")
    if not form.is_valid():
        return _page(request, form, status=400, problem="Nothing was added: see below.")
    try:
        level = service_level_save(by=_user(request), code=None, values=form.values())
    except ServiceLevelRefused as refused:
        form.add_error("code", str(refused))
        return _page(request, form, status=409, problem="Nothing was added: see below.")
    messages.success(request, f"Added {level.name}.")
    return HttpResponseRedirect(reverse("console:shop_service_levels"))


@require_http_methods(["GET", "POST"])
@staff_required("lead")
def service_level_edit(request: HttpRequest, code: str) -> HttpResponse:
    level = _level(code)
    if request.method == "GET":
        initial = {f: getattr(level, f) for f in ("name", "provider", "carrier", "service", "promised_days")}
        initial.update(position=level.position, active=level.active, price=price_of(level))
        return _page(request, ServiceLevelForm(initial=initial, editing=True), level=level)
    form = ServiceLevelForm(request.POST, editing=True)
    if not form.is_valid():
        return _page(request, form, level=level, status=400, problem="Nothing was saved: see below.")
    service_level_save(by=_user(request), code=level.code, values=form.values())
    messages.success(request, f"Saved {level.code}.")
    return HttpResponseRedirect(reverse("console:shop_service_levels"))


@require_POST
@staff_required("lead")
def service_level_retire(request: HttpRequest, code: str) -> HttpResponse:
    """Retire (no longer offered on the order form) or offer again; cases keep their code either way."""
    level = _level(code)
    offer = request.POST.get("offer") == "yes"
    service_level_save(by=_user(request), code=level.code, values={"active": offer})
    messages.success(
        request, f"{level.name} is offered again." if offer else f"{level.name} is retired: no longer offered."
    )
    return HttpResponseRedirect(reverse("console:shop_service_levels"))
