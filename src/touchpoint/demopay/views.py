"""The demo card page: Stripe's hosted checkout, played by the demo, with Stripe's test cards.

Like Stripe's page it is reached by the session's unguessable id, shows every field's problem at
once and keeps what was typed (except a number that isn't a test card, which it forgets), and
sends the customer back to the shop's success or cancel URL. Its form is the shop's own origin's,
so it has CSRF protection and the site's strict CSP (no script at all)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from touchpoint.core.clock import now
from touchpoint.demopay.cards import TEST_CARDS, grouped
from touchpoint.demopay.models import DemoSession, SessionStatus
from touchpoint.demopay.services import demo_enabled, demo_session_expire, demo_session_pay, return_url
from touchpoint.payments.money import money
from touchpoint.shop.selectors import shop_settings

FIELDS = ("number", "expiry", "cvc", "name")
MAX_TYPED = 100  # more than any card field needs; what is typed beyond it is not read


def _demo_on[**P](view: Callable[P, HttpResponse]) -> Callable[P, HttpResponse]:
    @wraps(view)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        if not demo_enabled():
            raise Http404("the demo card page is off")
        return view(*args, **kwargs)

    return wrapped


def _test_cards() -> list[dict[str, str]]:
    return [
        {"number": grouped(number), "brand": brand, "does": answer or "Succeeds"}
        for number, (brand, answer) in TEST_CARDS.items()
    ]


def _page(
    request: HttpRequest,
    session: DemoSession,
    *,
    typed: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    declined: str = "",
    status: int = 200,
) -> HttpResponse:
    errors = errors or {}
    context: dict[str, Any] = {
        "session": session,
        "amount": money(session.amount, session.currency),
        "shop_name": shop_settings().name,
        "typed": typed or {},
        "errors": errors,
        "first_error": next((name for name in FIELDS if name in errors), ""),
        "declined": declined,
        "test_cards": _test_cards(),
        "back_url": return_url(session.cancel_url, session),
    }
    return render(request, "demopay/checkout.html", context, status=status)


def _finished(request: HttpRequest, session: DemoSession) -> HttpResponse:
    """A session that is paid or ended: say so, and the way back to the shop."""
    paid = session.status == SessionStatus.COMPLETE
    context = {
        "session": session,
        "amount": money(session.amount, session.currency),
        "shop_name": shop_settings().name,
        "paid": paid,
        "back_url": return_url(session.success_url if paid else session.cancel_url, session),
    }
    return render(request, "demopay/finished.html", context, status=200 if paid else 410)


@never_cache
@require_http_methods(["GET", "POST"])
@_demo_on
def checkout(request: HttpRequest, session_id: str) -> HttpResponse:
    session = get_object_or_404(DemoSession, pk=session_id)
    if request.method == "GET":
        if session.status == SessionStatus.OPEN and session.expires_at <= now():
            demo_session_expire(session=session)  # its time ran out before the worker got to it
        if session.status != SessionStatus.OPEN:
            return _finished(request, session)
        return _page(request, session)
    typed = {name: str(request.POST.get(name, ""))[:MAX_TYPED] for name in FIELDS}
    answer = demo_session_pay(session=session, **typed)
    if answer.check is None:  # paid by an earlier press, or its time ran out
        if answer.session.status == SessionStatus.COMPLETE:
            return HttpResponseRedirect(return_url(answer.session.success_url, answer.session), status=303)
        return _finished(request, answer.session)
    if answer.check.paid:
        return HttpResponseRedirect(return_url(answer.session.success_url, answer.session), status=303)
    if answer.check.real_card:  # never show a real card's number again
        typed["number"] = typed["cvc"] = ""
    if answer.check.errors:
        return _page(request, session, typed=typed, errors=answer.check.errors, status=422)
    return _page(request, session, typed=typed, declined=answer.check.declined, status=402)


@require_POST
@_demo_on
def expire(request: HttpRequest, session_id: str) -> HttpResponse:
    """The page's demo tool: end this checkout now, unpaid, as if its time had run out."""
    session = get_object_or_404(DemoSession, pk=session_id)
    demo_session_expire(session=session)
    if session.status == SessionStatus.COMPLETE:
        return _finished(request, session)
    return HttpResponseRedirect(return_url(session.cancel_url, session), status=303)
