"""The pay panel on the customer's case page, the "Pay by card" button, and its self-refreshing status.

Only Stripe's webhook marks a card payment paid: coming back from Stripe's page says "we're
confirming with your bank", never "paid". While it waits, ``pay.js`` asks whether it is decided and
reloads the page when it is (progressive only: without JavaScript the customer reloads, as the page says)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from touchpoint.cases.errors import CaseConflict, TransitionRefused
from touchpoint.cases.models import Case
from touchpoint.core.clock import now
from touchpoint.payments.providers.registry import offline_provider, stripe_provider
from touchpoint.payments.selectors import case_latest_card_payment, case_paid_payment, case_price
from touchpoint.payments.services import PaymentRefused, card_checkout_start
from touchpoint.portal.access import case_link
from touchpoint.portal.panels import Panel, panels_for

DUE = {"awaiting_payment": "due", "payment_failed": "failed"}
CHECKING = ("payment_processing", "payment_retrying")
SYMBOLS = {"gbp": "£", "eur": "€", "usd": "$"}
POLL_SECONDS = 5
HEADINGS = {
    "due": "Pay for your repair",
    "failed": "Your payment didn't go through",
    "checking": "Checking your payment",
    "paid": "Payment",
    "problem": "Payment",
}


def money(amount: Decimal, currency: str) -> str:
    symbol = SYMBOLS.get(currency.lower())
    return f"{symbol}{amount:,.2f}" if symbol else f"{amount:,.2f} {currency.upper()}"


def pay_panel(request: HttpRequest, case: Case, token: str) -> dict[str, Any] | None:
    """What to pay and how while payment is due; "checking" while Stripe answers; a receipt line after."""
    paid = case_paid_payment(case=case)
    mode = DUE.get(case.state) or ("checking" if case.state in CHECKING else None)
    if mode is None:
        if paid is None:
            return None
        return {
            "mode": "paid",
            "heading": HEADINGS["paid"],
            "token": token,
            "paid": paid,
            "paid_amount": money(paid.amount, paid.currency),
            "problem": "",
        }
    price = case_price(case=case)
    card = case_latest_card_payment(case=case)
    offline = offline_provider()
    returned = request.GET.get("payment", "")
    return {
        "mode": mode,
        "heading": HEADINGS[mode],
        "case": case,
        "token": token,
        "price": money(price, settings.TOUCHPOINT_CURRENCY) if price is not None else None,
        "card": stripe_provider() is not None and price is not None and mode != "checking",
        "offline": offline.instructions(reference=case.reference) if offline is not None else "",
        "bank_details": settings.TOUCHPOINT_BANK_DETAILS,
        # The session the customer left is still open until it expires: let them go back to it.
        "resume_url": card.checkout_url if mode == "checking" and card and _open(card.expires_at) else "",
        "resume_until": card.expires_at if card else None,
        "returned": returned if returned in ("done", "cancelled") else "",
        "problem": "",
        "poll_seconds": POLL_SECONDS,
    }


def _open(expires_at: Any) -> bool:
    return expires_at is not None and expires_at > now()


@require_POST
@case_link
def pay_start(request: HttpRequest, case: Case, token: str) -> HttpResponse:
    """Create (or, on a double click, find) the Stripe checkout and send the customer there (303)."""
    provider = stripe_provider()
    if provider is None:
        return _case_page(
            request, case, token, "Card payments aren't available here: please pay by bank transfer.", 404
        )
    try:
        seen_version = int(request.POST.get("version", ""))
    except ValueError:
        return _case_page(request, case, token, "That form was incomplete. Please press “Pay by card” again.", 400)
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
    return JsonResponse({"checking": case.state in CHECKING})


def _case_page(request: HttpRequest, case: Case, token: str, problem: str, status: int) -> HttpResponse:
    """The case page as it is now, with what went wrong in the pay panel (or alone, if nothing is due)."""
    fresh = Case.objects.select_related("journey", "customer").get(pk=case.pk)
    panels = panels_for(request, fresh, token)
    pay = next((panel for panel in panels if panel.area == "pay"), None)
    if pay is None:
        panels.insert(
            0,
            Panel("pay", "portal/pay/_panel.html", {"mode": "problem", "heading": HEADINGS["problem"], "token": token}),
        )
        pay = panels[0]
    pay.context["problem"] = problem
    return render(
        request, "portal/tracking/case.html", {"case": fresh, "token": token, "panels": panels}, status=status
    )
