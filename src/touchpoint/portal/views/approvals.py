"""Extra work on the case page: what the bench found, each line with its explanation and price,
and the customer's answer — approve or decline, each confirmed on a page of its own (a ``<dialog>``
with JavaScript on), and taken once: a double click, a second tab or a stale page can't act twice."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.views.decorators.http import require_GET, require_POST

from touchpoint.cases.errors import CaseError
from touchpoint.cases.models import Case
from touchpoint.core.forms import ID_MAX, WholeNumberField
from touchpoint.flows.quotes import DECIDE_STATES, QuoteInvalid, QuoteNotOpen, quote_decide
from touchpoint.portal.access import case_link
from touchpoint.portal.views.tracking import case_page_render
from touchpoint.quotes.models import Quote, QuoteStatus
from touchpoint.quotes.selectors import quote_get, quote_latest

DECISIONS = {"approve": True, "decline": False}
LINK_BROKEN = "That link to the extra work is incomplete, so nothing was changed. Here is your repair's page."
ANSWER_BROKEN = "That answer didn't come through whole, so nothing was changed. Please try again."
MOVED_ON = (
    "Your repair has moved on since that page was loaded, so nothing was changed. "
    "Here is where it is now; if something looks wrong, talk to a person."
)


def approval_panel(request: HttpRequest, case: Case, token: str) -> dict[str, Any] | None:
    """The open quote to answer while the case waits for the customer's OK; afterwards, their answer."""
    if not case.is_open:
        return None
    quote = quote_latest(case=case)
    if quote is None or (quote.status != QuoteStatus.PROPOSED and case.state in DECIDE_STATES):
        # Extra work asked for outside a quote (an event given by hand): never leave the customer with
        # a question and nothing to answer it with.
        return {"mode": "missing", "token": token} if case.state in DECIDE_STATES else None
    if quote.status == QuoteStatus.PROPOSED and case.state in DECIDE_STATES:
        return {"mode": "ask", "quote": quote, "lines": list(quote.lines.all()), "case": case, "token": token}
    if quote.status in (QuoteStatus.APPROVED, QuoteStatus.DECLINED):
        return {"mode": "decided", "quote": quote, "said": decided_sentence(quote)}
    return None


def decided_sentence(quote: Quote) -> str:
    when = formats.date_format(timezone.localtime(quote.decided_at), "j F Y") if quote.decided_at else ""
    verb = "approved" if quote.status == QuoteStatus.APPROVED else "declined"
    who = "You" if quote.decided_by_customer else "You told us on the phone that you"
    return f"{who} {verb} this on {when}."


class AnswerForm(forms.Form):
    """What the question's buttons carry (in the link to the confirmation, and in its form)."""

    decision = forms.ChoiceField(choices=[(d, d) for d in DECISIONS])
    quote = WholeNumberField(max_value=ID_MAX)
    version = WholeNumberField()


def _unread(request: HttpRequest, case: Case, token: str, problem: str) -> HttpResponse:
    """Their page, with the question still on it, saying the link or answer couldn't be read (400)."""
    messages.error(request, problem)
    return case_page_render(request, case, token, status=400)


def _back(token: str) -> HttpResponse:
    return redirect(reverse("portal:case", args=[token]) + "#extra-work", permanent=False)


@require_GET
@case_link
def approval_confirm(request: HttpRequest, case: Case, token: str) -> HttpResponse:
    """Step two of approve/decline without JavaScript: the same question, asked once more."""
    form = AnswerForm(request.GET)
    if not form.is_valid():
        return _unread(request, case, token, LINK_BROKEN)
    decision, version = form.cleaned_data["decision"], form.cleaned_data["version"]
    quote = quote_get(case=case, quote_id=form.cleaned_data["quote"])
    if quote is None:
        messages.error(request, LINK_BROKEN)
        return _back(token)
    if not quote.is_open:
        messages.info(request, decided_sentence(quote) if quote.decided_at else MOVED_ON)
        return _back(token)
    if version != case.version or case.state not in DECIDE_STATES:
        messages.error(request, MOVED_ON)
        return _back(token)
    return render(
        request,
        "portal/approvals/confirm.html",
        {
            "case": case,
            "token": token,
            "quote": quote,
            "lines": list(quote.lines.all()),
            "decision": decision,
            "version": version,
        },
    )


@require_POST
@case_link
def approval_decide(request: HttpRequest, case: Case, token: str) -> HttpResponse:
    form = AnswerForm(request.POST)
    if not form.is_valid():
        return _unread(request, case, token, ANSWER_BROKEN)
    data = form.cleaned_data
    try:
        decided = quote_decide(
            case=case, quote_id=data["quote"], version=data["version"], approve=DECISIONS[data["decision"]]
        )
    except QuoteNotOpen as refused:
        messages.info(request, decided_sentence(refused.quote) if refused.quote.decided_at else MOVED_ON)
        return _back(token)
    except QuoteInvalid:
        messages.error(request, "That quote isn't part of this repair, so nothing was changed.")
        return _back(token)
    except CaseError:  # the case moved on (CaseConflict) or no longer waits for an answer (TransitionRefused)
        messages.error(request, MOVED_ON)
        return _back(token)
    if decided.quote.status == QuoteStatus.APPROVED:
        messages.success(
            request, "Thank you: we've got your OK, and the repair goes ahead. We've emailed you a receipt."
        )
    else:
        messages.success(
            request,
            "Thank you: we've noted that you declined the extra work. Nothing will be done without your say-so.",
        )
    return _back(token)
