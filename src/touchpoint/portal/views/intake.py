"""Ordering a repair in one go: one page, checked as the customer goes, nothing typed ever lost.

What was typed is kept server-side in the session (the *draft*): saved by every field check and
every refused submit, restored on reload, cleared when the order is placed. Anyone can post here,
so what is kept is bounded first (:mod:`touchpoint.portal.drafts`): the request's size, each
field's length, and how many sessions one client may start."""

from __future__ import annotations

import hashlib
from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.middleware import HtmxDetails

from touchpoint.catalog.models import DeviceModel
from touchpoint.catalog.selectors import device_model_offered, device_models_offered
from touchpoint.core.ratelimit import Limit, client_key, ratelimit_hit
from touchpoint.flows.intake import DESCRIPTION_MAX, Offered, Order, OrderRefused, Postage, order_open
from touchpoint.links.services import link_for_form
from touchpoint.portal.drafts import body_too_large, draft_keep, form_nonce, nonce_forget, nonce_remember
from touchpoint.portal.forms.intake import FIELDS, IntakeForm
from touchpoint.shipping.models import ServiceLevel
from touchpoint.shipping.service_levels import levels_active, offers, price_of
from touchpoint.shop.selectors import shop_currency, shop_settings

DRAFT = "portal.intake.draft"
NONCE = "tp_order"  # the cookie keeping the order form's one-time key across reloads (portal/drafts.py)
ORDER_LIMIT = Limit(10, 3600)  # orders per hour from one client: plenty for a family, not for a script
CHECK_LIMIT = Limit(600, 3600)  # field checks per hour from one client
# Checking one field re-checks these too (a postcode depends on the country, a phone on wanting texts).
DEPENDENTS = {"country": ["postcode"], "channel": ["phone"]}
KEPT_SECONDS = 24 * 3600  # a key never goes stale (what the questions show is in it); this only lets an unused copy go


def _draft_save(request: HttpRequest, form: IntakeForm) -> None:
    draft_keep(request, key=DRAFT, form=form, names=[*FIELDS, "nonce"])


def _draft(request: HttpRequest) -> dict[str, str]:
    draft = request.session.get(DRAFT)
    return dict(draft) if isinstance(draft, dict) else {}


def _page(
    request: HttpRequest,
    form: IntakeForm,
    *,
    q: str = "",
    limited: bool = False,
    too_large: bool = False,
    status: int = 200,
    fresh: bool = False,
) -> HttpResponse:
    """The order page; ``fresh``: a first visit's (nothing typed, nothing refused), whose questions
    are drawn once and kept (``_fields_key``)."""
    chosen = str(form["model"].value() or "")
    if form.is_bound:  # it was checked against the chosen model alone; the page lists them all
        form.models = device_models_offered(keep=_lookable(chosen))
    device = next((m for m in form.models if m.slug == chosen), None)
    levels = form.levels if form.levels_read else levels_active()
    sent = str(form["service_level"].value() or "")
    shown = offers(levels)
    level_chosen = sent if any(level.code == sent for level in levels) else (levels[0].code if levels else "")
    context: dict[str, Any] = {
        "form": form,
        "offers": shown,
        "level_chosen": level_chosen,
        # Its price is paid with the order (with a prepaid box): the page's money lines say so.
        "offer_chosen": next((o for o in shown if o.code == level_chosen), None),
        "q": q,
        "device": device,
        "chosen": chosen,
        "limited": limited,
        "too_large": too_large,
        "description_max": DESCRIPTION_MAX,
        "kept_seconds": KEPT_SECONDS,
    }
    if fresh:
        context["kept_key"] = _fields_key(form, context)
    return render(request, "portal/intake/order.html", context, status=status)


def _fields_key(form: IntakeForm, context: dict[str, Any]) -> str:
    """What the form's questions show, as a key to keep them drawn under: every field's value and
    choices (the problems are the shop's), the models offered with their prices, the postage offers
    with their on-time figures, the search, and the shop's currency and address. The same for every
    first visit until the shop changes one of them, when the key changes with it."""
    shown = (
        # (not the one-time key: every visitor's own, and drawn outside the kept part)
        [(f.name, f.value(), list(getattr(f.field, "choices", ()))) for f in form if f.name != "nonce"],
        [(m.slug, m.name, m.kind, m.diagnosis_price) for m in form.models],
        context["offers"], context["level_chosen"], context["q"], shop_currency(), shop_settings().sender_email,
    )  # fmt: skip
    return hashlib.sha256(repr(shown).encode()).hexdigest()


def _all_models() -> list[DeviceModel]:
    return device_models_offered()


def _sent_levels(request: HttpRequest) -> list[ServiceLevel] | None:
    """The shop's service levels when the form sent a choice among them, to check it against; else
    None, unread (a shop offering none has the order cost what it did before there were any)."""
    return levels_active() if "service_level" in request.POST else None


def _chosen_model(request: HttpRequest) -> list[DeviceModel]:
    """What a sent form's device is checked against: the model it names, when that is offered (one
    row, not the catalog; the page, when it comes back, lists them all)."""
    slug = _lookable(str(request.POST.get("model", ""))[:100])
    device = device_model_offered(slug) if slug else None
    return [device] if device is not None else []


def _lookable(slug: str) -> str:
    """``slug`` when the database can be asked for it, else "" (PostgreSQL refuses a null character
    in a lookup; no slug has one)."""
    return "" if "\x00" in slug else slug


@require_http_methods(["GET", "POST"])
def intake(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _submit(request)
    draft = _draft(request)
    # Kept across reloads, so sending the page twice can't order twice; drawing it writes nothing.
    draft["nonce"], new = form_nonce(request, cookie=NONCE, draft=draft)
    q = request.GET.get("q", "").strip()[:80]
    models = device_models_offered(query=q, keep=draft.get("model"))
    form = IntakeForm(initial={"country": "GB", "channel": "email", **draft}, models=models, levels=levels_active())
    typed = any(value for name, value in draft.items() if name != "nonce")
    response = _page(request, form, q=q, fresh=not typed)
    if new:
        nonce_remember(response, cookie=NONCE, nonce=draft["nonce"], path=request.path)
    return response


def _too_large(request: HttpRequest) -> HttpResponse:
    """More than the form can hold (only a script sends it: the page's fields have maxlength). Nothing
    of it is read; the page comes back with what this visitor's draft holds."""
    draft = _draft(request)
    draft["nonce"], _ = form_nonce(request, cookie=NONCE, draft=draft)
    form = IntakeForm(initial={"country": "GB", "channel": "email", **draft}, models=_all_models())
    return _page(request, form, too_large=True, status=413)


def _submit(request: HttpRequest) -> HttpResponse:
    if body_too_large(request):
        return _too_large(request)
    form = IntakeForm(request.POST, models=_chosen_model(request), levels=_sent_levels(request))
    response = _place(request, form)
    if response.status_code == 303:
        request.session.pop(DRAFT, None)
        nonce_forget(response, cookie=NONCE, path=request.path)
    else:  # the page comes back: what was typed is kept (a placed order needs no draft, nor its session row)
        _draft_save(request, form)
    return response


def _place(request: HttpRequest, form: IntakeForm) -> HttpResponse:
    if not form.is_valid():
        return _page(request, form, status=422)
    # One write transaction, not three: the order's count against the limit, the order and the link
    # to its page commit together (a refused order rolls back only its own savepoint: it still counts).
    # The page is drawn after the commit, so no lock is held while it renders.
    with transaction.atomic():
        within = ratelimit_hit(scope="portal.intake.order", key=client_key(request), limit=ORDER_LIMIT)
        token = _order(form) if within else None
    if not within:
        return _page(request, form, limited=True, status=429)
    if token is None:
        return _page(request, form, status=422)
    response = redirect("portal:case", token=token)
    response.status_code = 303  # see other: the order page is done with; back doesn't resubmit
    return response


def _order(form: IntakeForm) -> str | None:
    """Place the form's order; the token of the link to its page, or None when it was refused (the
    form then says why)."""
    d = form.cleaned_data
    level = form.level()
    order = Order(
        model=d["model"],
        problem=d["problem"],
        prepaid_box=d["shipping"] == "box",
        description=d["description"],
        contact=form.contact(),
        # Its price as the order is placed is part of the order's: kept with it, charged with it.
        postage=Postage(level.code, level.name, price_of(level)) if level is not None else None,
    )
    # The catalog the form was just checked against: placing the order doesn't read it again.
    offered = Offered(tuple(form.models), frozenset(slug for slug, _ in form.problems))
    try:
        placed = order_open(order=order, nonce=d["nonce"], offered=offered)
    except OrderRefused as refused:
        form.add_error(refused.field if refused.field in form.fields else None, str(refused))
        return None
    # A form sent again lands on the page the first one did; a new order's case has no link yet.
    return link_for_form(case=placed.case, opened=not placed.replayed)


def _messages(form: IntakeForm, field: str) -> list[str]:
    return [str(message) for message in form.errors.get(field) or []]


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails  # set by django-htmx's middleware on every request


@require_POST
def intake_check(request: HtmxHttpRequest) -> HttpResponse:
    """One field's error (empty when it is fine), for htmx (the field that changed is htmx's trigger;
    without htmx, the form's ``field``); the draft is saved on the way."""
    field = request.htmx.trigger_name or request.POST.get("field", "")
    if body_too_large(request):
        message = f"That's more than the order form takes: the description is limited to {DESCRIPTION_MAX} characters."
        return HttpResponse(message, status=413)
    if field not in FIELDS:
        return HttpResponseBadRequest("Unknown field.")
    if not ratelimit_hit(scope="portal.intake.check", key=client_key(request), limit=CHECK_LIMIT):
        return HttpResponse("Too many checks; the form still works: press Place order.", status=429)
    form = IntakeForm(request.POST, models=_chosen_model(request), levels=_sent_levels(request))
    _draft_save(request, form)
    form.is_valid()
    shown: list[tuple[str, list[str], bool]] = [(field, _messages(form, field), False)]
    for other in DEPENDENTS.get(field, []):
        if request.POST.get(other) or not form.fields[other].required:  # don't nag about a field not reached
            shown.append((other, _messages(form, other), True))
    return render(request, "portal/intake/_errors.html", {"shown": shown})
