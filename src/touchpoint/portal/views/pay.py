"""The pay panel on the customer's case page, the "Pay by card" button, and its self-refreshing status.

What is due comes from one reading of the case's money (``payments.selectors.case_money``): the
order's price while it waits for payment, the balance of approved extra work while the device
waits for it, then a receipt of what was paid and what is on its way back.

Only the provider's webhook marks a card payment paid: coming back from its page says "we're
confirming with your bank", never "paid". While it waits, ``pay.js`` asks whether it is decided and
reloads the page when it is (progressive only: without JavaScript the customer reloads, as the page says)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from touchpoint.cases.errors import CaseConflict, TransitionRefused
from touchpoint.cases.models import Case
from touchpoint.core.clock import now
from touchpoint.core.forms import WholeNumberField
from touchpoint.flows.payments import PaymentRefused, card_checkout_start
from touchpoint.payments.models import Payment, PaymentStatus, Purpose
from touchpoint.payments.money import money as _money
from touchpoint.payments.providers.registry import card_provider, offline_provider
from touchpoint.payments.selectors import (
    BALANCE_STATES,
    case_latest_card_payment,
    case_money,
    case_order_price,
    case_refunds,
    case_taken_payments,
)
from touchpoint.portal.access import case_link
from touchpoint.portal.panels import Panel
from touchpoint.portal.views.tracking import case_page_context
from touchpoint.shop.selectors import shop_currency, shop_settings

DUE = {"awaiting_payment": "due", "payment_failed": "failed"}
CHECKING = ("payment_processing", "payment_retrying")
WAITING = (PaymentStatus.PENDING, PaymentStatus.PROCESSING)
POLL_SECONDS = 5
HEADINGS = {
    "due": "Pay for your repair",
    "failed": "Your payment didn't go through",
    "checking": "Checking your payment",
    "balance": "Pay for the extra work",
    "paid": "Payment",
    "problem": "Payment",
}


class PayForm(forms.Form):
    """What "Pay by card" posts: the case's version its page showed."""

    version = WholeNumberField()


def money(amount: Decimal, currency: str) -> str:
    """Kept for callers of the old name: the project's formatter is ``payments.money.money``."""
    return _money(amount, currency)


def pay_panel(request: HttpRequest, case: Case, token: str) -> dict[str, Any] | None:
    """What to pay and how while something is due; "checking" while the provider answers; after,
    what was paid and what is coming back."""
    returned = request.GET.get("payment", "")
    returned = returned if returned in ("done", "cancelled") else ""
    if case.state in BALANCE_STATES:
        return _balance(case, token, returned)
    mode = DUE.get(case.state) or ("checking" if case.state in CHECKING else None)
    if mode is None:
        return _receipt(case, token)
    order = case_order_price(case=case)
    price = order.total if order is not None else None
    card = case_latest_card_payment(case=case)
    currency = shop_currency()
    return {
        **_ways(case, token, mode),
        "price": _money(price, currency) if price is not None else None,
        # What the price is made of, when the order's postage is part of it (a free level adds nothing).
        "parts": (_money(order.diagnosis, currency), order.postage_name, _money(order.postage, currency))
        if order is not None and order.postage > 0
        else None,
        "card": card_provider() is not None and price is not None and mode != "checking",
        **_resume(card if mode == "checking" else None),
        "returned": returned,
    }


def _ways(case: Case, token: str, mode: str) -> dict[str, Any]:
    offline = offline_provider()
    return {
        "mode": mode,
        "heading": HEADINGS[mode],
        "case": case,
        "token": token,
        "offline": offline.instructions(reference=case.reference) if offline is not None else "",
        "bank_details": shop_settings().bank_details,
        "problem": "",
        "poll_seconds": POLL_SECONDS,
    }


def _resume(card: Payment | None) -> dict[str, Any]:
    """The checkout the customer left is still open until it expires: let them go back to it."""
    open_ = card is not None and card.status == PaymentStatus.PENDING and _open(card.expires_at)
    return {
        "resume_url": card.checkout_url if card is not None and open_ else "",
        "resume_until": card.expires_at if card is not None else None,
    }


def _balance(case: Case, token: str, returned: str) -> dict[str, Any] | None:
    """The balance of approved extra work, with the ways to pay it, while the device waits for it."""
    figures = case_money(case=case)
    if figures.balance_due <= 0:
        return _receipt(case, token)
    card = case_latest_card_payment(case=case, purpose=Purpose.BALANCE)
    waiting = card is not None and card.status in WAITING
    checking = waiting and returned == "done"
    mode = "checking" if checking else "balance"
    return {
        **_ways(case, token, mode),
        "price": figures.money(figures.balance_due),
        "extra": figures.money(figures.extra),
        "settled": figures.money(figures.balance_paid + figures.waived)
        if figures.balance_paid + figures.waived
        else "",
        "card": card_provider() is not None and not checking,
        "card_failed": card is not None and card.status in (PaymentStatus.FAILED, PaymentStatus.EXPIRED),
        **_resume(card if waiting else None),
        "returned": returned,
    }


def _receipt(case: Case, token: str) -> dict[str, Any] | None:
    """What was paid, and what is on its way back; None when no money has moved at all."""
    paid = case_taken_payments(case=case)
    refunds = case_refunds(case=case)
    if not paid and not refunds:
        return None
    return {
        "mode": "paid",
        "heading": HEADINGS["paid"],
        "token": token,
        "payments": [
            {
                "amount": _money(p.amount, p.currency),
                "balance": p.purpose == Purpose.BALANCE,
                "card": p.provider != "offline",
                "method": p.get_method_display().lower() if p.method else "",
                "at": p.paid_at,
            }
            for p in paid
        ],
        "refunds": [
            {
                "amount": _money(r.amount, r.currency),
                "status": r.status,
                "due_at": r.task.due_at if r.task is not None else None,
                "done_at": r.done_at,
            }
            for r in refunds
        ],
        "problem": "",
    }


def _open(expires_at: Any) -> bool:
    return expires_at is not None and expires_at > now()


@require_POST
@case_link
def pay_start(request: HttpRequest, case: Case, token: str) -> HttpResponse:
    """Create (or, on a double click, find) the card checkout and send the customer there (303)."""
    provider = card_provider()
    if provider is None:
        return _case_page(
            request, case, token, "Card payments aren't available here: please pay by bank transfer.", 404
        )
    form = PayForm(request.POST)
    if not form.is_valid():
        return _case_page(request, case, token, "That form was incomplete. Please press “Pay by card” again.", 400)
    seen_version = form.cleaned_data["version"]
    page = request.build_absolute_uri(reverse("portal:case", args=[token]))
    try:
        payment = card_checkout_start(
            case=case,
            seen_version=seen_version,
            provider=provider,
            success_url=f"{page}?payment=done",
            cancel_url=f"{page}?payment=cancelled",
        )
    except CaseConflict:
        return _case_page(
            request, case, token, "Your order changed while this page was open. Here it is as it is now.", 409
        )
    except (PaymentRefused, TransitionRefused) as exc:
        return _case_page(request, case, token, str(exc), 409)
    return HttpResponseRedirect(payment.checkout_url, status=303)


@require_GET
@case_link
def pay_status(request: HttpRequest, case: Case, token: str) -> HttpResponse:
    """Is the payment still being checked? ``pay.js`` asks every few seconds and reloads when it isn't."""
    if case.state in BALANCE_STATES:
        card = case_latest_card_payment(case=case, purpose=Purpose.BALANCE)
        return JsonResponse({"checking": card is not None and card.status in WAITING})
    return JsonResponse({"checking": case.state in CHECKING})


def _case_page(request: HttpRequest, case: Case, token: str, problem: str, status: int) -> HttpResponse:
    """The case page as it is now, with what went wrong in the pay panel (or alone, if nothing is due)."""
    fresh = Case.objects.select_related("journey", "customer").get(pk=case.pk)
    context = case_page_context(request, fresh, token)
    panels: list[Panel] = context["panels"]
    pay = next((panel for panel in panels if panel.area == "pay"), None)
    if pay is None:
        panels.insert(
            0,
            Panel("pay", "portal/pay/_panel.html", {"mode": "problem", "heading": HEADINGS["problem"], "token": token}),
        )
        pay = panels[0]
    pay.context["problem"] = problem
    return render(request, "portal/tracking/case.html", context, status=status)
