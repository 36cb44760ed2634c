"""The customer's actions on their case page, generically from the journey (see ``portal/actions.py``):
"I've posted my device", "It's home", "Send it back to me" or "Recycle it responsibly", "Cancel my
order", "Make a complaint"...

Every action posts the case version its page showed and a one-off nonce (the idempotency key): a
stale page says so and changes nothing, a double submit acts once. A refusal says why on a page of
its own, with what was typed kept, and never a 500. What can't be undone is confirmed first: on a
second page without JavaScript, in a ``<dialog>`` with it. Success redirects back to the case page
(post/redirect/get) with a sentence saying what happened. "I've posted my device" may bring the parcel's
tracking number (``shipping.given``): recorded with the move, in its transaction, and rate-limited like
the other case-page forms; a number that can't be right is said beside its field and nothing moves."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from touchpoint.cases.actors import CUSTOMER
from touchpoint.cases.errors import CaseConflict, IdempotencyKeyReused, TransitionRefused
from touchpoint.cases.journeys import journey_of
from touchpoint.cases.models import Case, TimelineEntry
from touchpoint.core.ratelimit import Limit, client_key, ratelimit_hit
from touchpoint.flows.advance import case_advance
from touchpoint.inbox.portal import portal_message_receive
from touchpoint.journeys import Journey, State
from touchpoint.portal.access import case_link
from touchpoint.portal.actions import Action, action_of, customer_actions, landing
from touchpoint.portal.forms.actions import ActForm, AskForm, new_nonce
from touchpoint.shipping.given import NumberRefused, parcel_give

UNREAD = "That didn't come through whole, so nothing was changed. Please try again from your page."
UNKNOWN = "We don't know that action, so nothing was changed. Please choose again from your page."
NOT_NOW = "That isn't something you can do at this step, so nothing was changed. Here is what you can do now."
STALE = (
    "Your page was out of date: things have moved on since it was loaded, so nothing was changed. "
    "Here is where things are now."
)
REUSED = "This form was already used. Please go back to your page and choose again: nothing was changed."
CHECK = "Something needs another look before we can take it: see below. Nothing was changed yet."
DOES_NOT_FIT = "That answer doesn't fit this step, so nothing was changed. Please check it, or talk to a person."
TOO_MANY = "You've sent this a lot in a few minutes, so nothing was changed. Please wait a few minutes and try again."


def parcel_limit_hit(request: HttpRequest) -> bool:
    """Count one tracking number given from this client; False when over the case pages' limit (a
    number on another order is said so, which mustn't become a way to try numbers)."""
    limit = Limit(settings.TOUCHPOINT_PORTAL_PERSON_RATE, settings.TOUCHPOINT_PORTAL_RATE_WINDOW)
    return ratelimit_hit(scope="portal-parcel", key=client_key(request), limit=limit)


@dataclass(frozen=True)
class Offered:
    """One action on the page: its journey reading, its form, and the nonce that makes it happen once."""

    action: Action
    form: AskForm
    nonce: str
    landing: State | None = None  # where it leads, for the "are you sure?" of an action that asks nothing


def _key(nonce: str) -> str:
    return f"portal:{nonce}"


def actions_panel(request: HttpRequest, case: Case, token: str) -> dict[str, Any] | None:
    """The case page's panel: every action the journey gives the customer now, or nothing."""
    journey = journey_of(case.journey)
    offered = [
        Offered(action, AskForm(action), new_nonce(), _landing(journey, case, action))
        for action in customer_actions(case=case, journey=journey)
    ]
    if not offered:
        return None
    return {
        "token": token,
        "version": case.version,
        "plain": [o for o in offered if o.action.words is None],
        "worded": [o for o in offered if o.action.words is not None],
    }


def _landing(journey: Journey, case: Case, action: Action) -> State | None:
    return landing(journey, case=case, event=action.event, given={}) if action.confirm and not action.asks else None


def _back(token: str) -> HttpResponse:
    response = redirect(reverse("portal:case", args=[token]))
    response.status_code = 303  # see other: a reload of the case page never sends the action again
    return response


def _page(
    request: HttpRequest,
    case: Case,
    token: str,
    journey: Journey,
    *,
    status: int,
    problem: str,
    offered: Offered | None = None,
    confirming: bool = False,
) -> HttpResponse:
    """One action on a page of its own: its confirmation, or why it wasn't taken (with what was typed)."""
    landing_state = None
    if confirming and offered is not None:
        landing_state = landing(journey, case=case, event=offered.action.event, given=offered.form.given())
    context = {
        "case": case,
        "token": token,
        "journey": journey,
        "state": journey.states[case.state],
        "problem": problem,
        "offered": offered,
        "version": case.version,
        "confirming": confirming,
        "landing": landing_state,
    }
    return render(request, "portal/actions/act.html", context, status=status)


def _done(action: Action, *, again: bool) -> str:
    """What happened, in words: what we noted, and what happens now."""
    if again:
        return f"We'd already noted “{action.label}”: it only counts once. Here is where things are now."
    if action.words is not None:
        return "Thank you for telling us. Your words are on your case, and a person from our team has them now."
    return f"Thanks, we've noted “{action.label}”. Here is where things are now."


@require_POST
@case_link
def action_take(request: HttpRequest, case: Case, token: str) -> HttpResponse:
    journey = journey_of(case.journey)
    base = ActForm(request.POST)
    if not base.is_valid():
        return _page(request, case, token, journey, status=400, problem=UNREAD)
    event, version, nonce = base.cleaned_data["event"], base.cleaned_data["version"], base.cleaned_data["nonce"]
    if event not in journey.events and not any(t.on == event for t in journey.transitions):
        return _page(request, case, token, journey, status=400, problem=UNKNOWN)
    if TimelineEntry.objects.filter(case=case, idempotency_key=_key(nonce), event=event).exists():
        # This very form was sent before (a double click, a resent page): it acts once.
        messages.info(request, _done(action_of(journey, state=case.state, event=event, data=case.data), again=True))
        return _back(token)
    offered_now = {action.event: action for action in customer_actions(case=case, journey=journey)}
    action = offered_now.get(event)
    if version != case.version:
        kept = Offered(action, AskForm(action, request.POST), nonce) if action is not None else None
        if kept is not None:
            kept.form.is_valid()
        return _page(request, case, token, journey, status=409, problem=STALE, offered=kept)
    if action is None:
        return _page(request, case, token, journey, status=403, problem=NOT_NOW)
    offered = Offered(action, AskForm(action, request.POST), nonce)
    if not offered.form.is_valid():
        return _page(request, case, token, journey, status=400, problem=CHECK, offered=offered)
    if action.confirm and not base.cleaned_data["confirm"]:
        return _page(request, case, token, journey, status=200, problem="", offered=offered, confirming=True)
    parcel = offered.form.parcel()
    if parcel is not None and not parcel_limit_hit(request):
        return _page(request, case, token, journey, status=429, problem=TOO_MANY, offered=offered)
    try:
        with transaction.atomic():
            result = case_advance(
                case=case, event=event, actor=CUSTOMER, given=offered.form.given(), idempotency_key=_key(nonce)
            )
            if parcel is not None and not result.replayed:
                # The parcel commits with "posted", as the scan station's typed number commits with its dispatch
                parcel_give(case=result.case, tracking_number=parcel[0], carrier=parcel[1])
            words = offered.form.words()
            if words:
                # Their words are their message on the case, stored as the messages panel stores one,
                # after the move: a first line such as "no" must not answer a question the case has left.
                portal_message_receive(case=result.case, text=words, photos=[], nonce=f"act-{nonce}")
    except CaseConflict:
        # Lost a race with another change: draw the page from the case as it is now.
        case = Case.objects.select_related("customer", "journey").get(pk=case.pk)
        return _page(request, case, token, journey, status=409, problem=STALE, offered=offered)
    except NumberRefused as refused:
        offered.form.add_error("tracking_number", refused.message)
        return _page(request, case, token, journey, status=400, problem=CHECK, offered=offered)
    except IdempotencyKeyReused:
        return _page(request, case, token, journey, status=400, problem=REUSED)
    except TransitionRefused as refused:
        if refused.code in ("bad-input", "missing-input", "no-guard-matched"):
            return _page(request, case, token, journey, status=400, problem=DOES_NOT_FIT, offered=offered)
        return _page(request, case, token, journey, status=403, problem=NOT_NOW)
    messages.success(request, _done(action, again=result.replayed))
    return _back(token)
