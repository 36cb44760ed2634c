"""Quotes on the staff case view: the bench tells the customer what the diagnosis found (extra work
line by line, or none), care revises a declined quote or records an answer given on the phone.

Each form carries the case version the page was drawn with: a stale page gets a conflict message,
keeps what was typed, and writes nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django import forms
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from touchpoint.cases.actors import ROLES, staff_actor
from touchpoint.cases.errors import CaseConflict, CaseError
from touchpoint.cases.journeys import journey_of
from touchpoint.cases.models import Case
from touchpoint.core.forms import ID_MAX, MoneyField, WholeNumberField
from touchpoint.flows.quotes import (
    DECIDE_STATES,
    MAX_LINES,
    PRICE_MAX,
    PROPOSE_EVENTS,
    LineInput,
    QuoteError,
    quote_decide,
    quote_propose,
)
from touchpoint.journeys import Actor, valid_events
from touchpoint.payments.money import money
from touchpoint.quotes.selectors import QuoteView, quote_open, quotes_of
from touchpoint.staff.access import staff_required
from touchpoint.staff.models import StaffUser
from touchpoint.staff.selectors import teams_of

BLANK_ROWS = 3
CONFLICT = (
    "{ref} changed while you were looking at it, so nothing was sent. "
    "Check its timeline (someone may have done this already), then send it again if it's still needed."
)


UNREAD = "That form didn't come through whole, so nothing was {done}. Please send it again."


class ProposeForm(forms.Form):
    """What the quote form posts besides its lines."""

    action = forms.ChoiceField(choices=[("quote", "Send the quote"), ("none", "No extra work")])
    version = WholeNumberField()


class LineForm(forms.Form):
    """One line of extra work, as the customer will read it."""

    description = forms.CharField(
        max_length=200,
        error_messages={
            "required": "Say what the work is, e.g. “New battery”.",
            "max_length": "Keep the work under 200 characters: the explanation says the rest.",
        },
    )
    explanation = forms.CharField(
        max_length=2000,
        error_messages={
            "required": "Explain to the customer why it is needed.",
            "max_length": "Keep the explanation under 2,000 characters.",
        },
    )
    price = MoneyField(
        min_value=Decimal("0.01"),
        max_value=PRICE_MAX - Decimal("0.01"),
        error_messages={
            "required": "Enter the price, e.g. 39.00.",
            "invalid": "Enter the price as a number, e.g. 39.00.",
            "min_value": "The price must be more than 0, e.g. 39.00.",
            "max_value": f"The price must be less than {PRICE_MAX:,.2f}.",
            "max_decimal_places": "Use at most two decimals, e.g. 39.00.",
        },
    )


class AnswerForm(forms.Form):
    """An answer the customer gave on the phone, recorded by care."""

    quote = WholeNumberField(max_value=ID_MAX)
    version = WholeNumberField()
    answer = forms.ChoiceField(choices=[("approve", "They approved"), ("decline", "They declined")])


@dataclass
class Row:
    description: str = ""
    explanation: str = ""
    price: str = ""
    errors: list[str] = field(default_factory=list)

    @property
    def blank(self) -> bool:
        return not (self.description.strip() or self.explanation.strip() or self.price.strip())


def _allowed(case: Case, user: Any, event: str) -> bool:
    if not isinstance(user, StaffUser):
        return False
    actor = staff_actor(user).for_journey()
    return event in valid_events(journey_of(case.journey), state=case.state, data=case.data, actor=actor)


def _allowed_now(case: Case, user: Any, event: str) -> bool:
    """:func:`_allowed` reading the user's teams only when the journey takes ``event`` here at all."""
    if not isinstance(user, StaffUser):
        return False
    journey = journey_of(case.journey)
    if event not in journey.events_from(case.state):
        return False
    actor = Actor("staff", role=ROLES.get(user.role), teams=teams_of(user))
    return event in valid_events(journey, state=case.state, data=case.data, actor=actor)


def quote_panel(request: HttpRequest, case: Case) -> dict[str, Any] | None:
    """The case's quotes; the form to propose one while the journey lets this person do it."""
    quotes = quotes_of(case=case)
    event = PROPOSE_EVENTS.get(case.state)
    can_propose = event is not None and _allowed_now(case, request.user, event)
    open_quote = next((q for q in quotes if q.is_open), None) if case.state in DECIDE_STATES else None
    can_answer = open_quote is not None and _allowed_now(case, request.user, "quote_approved")
    if not quotes and not can_propose:
        return None
    return _context(case, quotes, [Row() for _ in range(BLANK_ROWS)], "", can_propose, open_quote, can_answer)


def _context(
    case: Case,
    quotes: list[QuoteView],
    rows: list[Row],
    finding: str,
    can_propose: bool,
    open_quote: Any = None,
    can_answer: bool = False,
    problem: str = "",
    version: int | None = None,
) -> dict[str, Any]:
    return {
        "case": case,
        "version": version if version is not None else case.version,
        "quotes": quotes,
        "rows": rows,
        "finding": finding,
        "can_propose": can_propose,
        "revising": case.state == "quote_declined",
        "open_quote": open_quote,
        "open_total": money(open_quote.total) if open_quote is not None else "",
        "can_answer": can_answer,
        "problem": problem,
    }


def _case(reference: str) -> Case:
    case = Case.objects.select_related("journey", "customer").filter(reference=reference).first()
    if case is None:
        raise Http404(f"there is no case {reference}")
    return case


def _rows(request: HttpRequest) -> list[Row]:
    post = request.POST
    columns = [post.getlist(name)[:MAX_LINES] for name in ("description", "explanation", "price")]
    count = max(len(column) for column in columns)

    def cell(column: list[str], n: int) -> str:
        return column[n] if n < len(column) else ""

    return [Row(cell(columns[0], n), cell(columns[1], n), cell(columns[2], n)) for n in range(count)]


def _lines(rows: list[Row]) -> list[LineInput]:
    """The filled rows as lines; every problem is written on its row."""
    lines = []
    for row in rows:
        if row.blank:
            continue
        form = LineForm({"description": row.description, "explanation": row.explanation, "price": row.price})
        if not form.is_valid():
            row.errors.extend(str(e) for name in LineForm.base_fields for e in form.errors.get(name, []))
            continue
        data = form.cleaned_data
        lines.append(LineInput(data["description"], data["explanation"], data["price"]))
    return lines


@require_POST
@staff_required("agent")
def quote_propose_view(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case(reference)
    user = request.user
    assert isinstance(user, StaffUser)  # staff_required let only staff through
    rows, finding = _rows(request), request.POST.get("finding", "")[:4000]
    form = ProposeForm(request.POST)
    action = request.POST.get("action", "")
    quotes = quotes_of(case=case)
    lines = _lines(rows)
    problem = ""
    if any(row.errors for row in rows):
        problem = "Some lines need another look: see below. Nothing was sent."
    elif action == "quote" and not lines:
        problem = "Add at least one line of extra work, or choose “No extra work”."
    elif action == "none" and not all(row.blank for row in rows):
        problem = "You filled in extra work but chose “No extra work”: clear the lines, or send the quote."
    elif not form.is_valid():
        problem = UNREAD.format(done="sent")
    if problem:
        rows += [Row() for _ in range(max(0, BLANK_ROWS - len(rows)))]
        seen = form.cleaned_data.get("version") if form.is_valid() else None
        return _again(request, case, quotes, rows, finding, problem, 400, seen)
    version = form.cleaned_data["version"]
    try:
        quote_propose(case=case, version=version, by=user, lines=lines, finding=finding)
    except CaseConflict:
        return _again(request, case, quotes, rows, finding, CONFLICT.format(ref=case.reference), 409, None)
    except (QuoteError, CaseError) as refused:
        return _again(request, case, quotes, rows, finding, f"Nothing was sent: {refused}", 409, version)
    return HttpResponseRedirect(reverse("console:case", args=[case.reference]), status=303)


@require_POST
@staff_required("agent")
def quote_answer_view(request: HttpRequest, reference: str) -> HttpResponse:
    """Care records the customer's answer given on the phone."""
    case = _case(reference)
    user = request.user
    assert isinstance(user, StaffUser)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        return _again(request, case, quotes_of(case=case), [], "", UNREAD.format(done="recorded"), 400, None)
    data = form.cleaned_data
    try:
        quote_decide(
            case=case,
            quote_id=data["quote"],
            version=data["version"],
            approve=data["answer"] == "approve",
            by_staff=user,
        )
    except CaseConflict:
        problem = CONFLICT.format(ref=case.reference).replace("sent", "recorded")
        return _again(request, case, quotes_of(case=case), [], "", problem, 409, None)
    except (QuoteError, CaseError) as refused:
        return _again(request, case, quotes_of(case=case), [], "", f"Nothing was recorded: {refused}", 409, None)
    return HttpResponseRedirect(reverse("console:case", args=[case.reference]), status=303)


def _again(
    request: HttpRequest,
    case: Case,
    quotes: list[Any],
    rows: list[Row],
    finding: str,
    problem: str,
    status: int,
    version: int | None,
) -> HttpResponse:
    """The panel again with what was typed. After a conflict the version is the case's current one,
    so sending it again (once checked) works."""
    event = PROPOSE_EVENTS.get(case.state)
    can_propose = event is not None and _allowed(case, request.user, event)
    open_quote = quote_open(case=case) if case.state in DECIDE_STATES else None
    can_answer = open_quote is not None and _allowed(case, request.user, "quote_approved")
    panel = _context(case, quotes, rows, finding, can_propose, open_quote, can_answer, problem, version)
    return render(request, "console/quotes/page.html", {"case": case, "panel": panel}, status=status)
