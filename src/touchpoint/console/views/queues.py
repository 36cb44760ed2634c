"""The queues page: one list of cases per question (mine, my team's, exceptions, …), with filters,
search, pages of 50, and a partial the page polls with htmx so new cases appear without a reload.

A search looks across every case the person may see (all of them: reading is open to staff), open and
ended, whichever queue it was typed in, and each result says which queues it sits in."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypedDict

from django import forms
from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from touchpoint.console.reads.queues import NOBODY, QUEUES, STATUSES, QueuePage, QueueQuery, QueueRow, queue_page
from touchpoint.console.reads.when import When
from touchpoint.console.views.walkins import may_open_walkins
from touchpoint.console.words import OUTCOME_WORDS
from touchpoint.core.clock import now
from touchpoint.core.htmx import HtmxHttpRequest
from touchpoint.journeys import Journey
from touchpoint.staff.access import staff_required
from touchpoint.staff.models import StaffUser
from touchpoint.staff.selectors import active_usernames, owner_words, teams

FILTERS = ("search", "journey", "state", "team", "assignee", "status")


class OneTemplateSelect(forms.Select):
    """A ``<select>`` drawn by one template from plain options: Django's builds each option with its
    own attributes and draws it through a template of its own, which the filters' dozens of states and
    staff made a few ms of every queue page. One option is selected, as Django's single select does."""

    template_name = "console/forms/select.html"

    def optgroups(self, name: str, value: list[str], attrs: dict[str, Any] | None = None) -> list[Any]:
        wanted = {str(v) for v in value}
        groups: list[Any] = []
        chosen = False

        def option(key: object, label: object) -> dict[str, Any]:
            nonlocal chosen
            selected = not chosen and str(key) in wanted
            chosen = chosen or selected
            return {"value": str(key), "label": label, "selected": selected}

        for index, (key, label) in enumerate(self.choices):
            if isinstance(label, list | tuple):
                groups.append((key, [option(k, lab) for k, lab in label], index))
            else:
                groups.append((None, [option(key, label)], index))
        return groups


class OfferedChoice(forms.ChoiceField):
    """A filter shown as a ``<select>`` whose choices are read only for the full page (the live
    refresh validates without them): any value up to ``max_length`` is taken, and one nobody has
    simply matches no case."""

    widget = OneTemplateSelect

    def __init__(self, *, max_length: int, label: str) -> None:
        super().__init__(required=False, label=label, validators=[MaxLengthValidator(max_length)])

    def valid_value(self, value: str) -> bool:
        return True


class QueueForm(forms.Form):
    """The queue, its filters and the page."""

    q = forms.ChoiceField(choices=list(QUEUES.items()), required=False, label="Queue")
    search = forms.CharField(
        max_length=100, required=False, strip=True, label="Search",
        widget=forms.TextInput(attrs={"type": "search", "data-search": True}),
        help_text="Reference, customer name or email, tracking number: searches every queue, open and ended "
        "cases.",
    )  # fmt: skip
    journey = OfferedChoice(max_length=80, label="Journey")
    state = OfferedChoice(max_length=80, label="State")
    team = OfferedChoice(max_length=40, label="Team")
    assignee = OfferedChoice(max_length=150, label="Assignee")
    status = forms.ChoiceField(
        choices=[("", "Open"), *STATUSES.items()], required=False, label="Status", widget=OneTemplateSelect
    )
    page = forms.IntegerField(min_value=1, max_value=10_000, required=False)

    def query(self) -> tuple[QueueQuery, int]:
        """The valid part of what was asked; a field with an error is left out (and shown)."""
        clean: dict[str, Any] = getattr(self, "cleaned_data", {})
        values = {name: clean.get(name) or "" for name in FILTERS}
        return QueueQuery(queue=clean.get("q") or "mine", **values), clean.get("page") or 1

    def offer(self, *, journeys: dict[str, Journey], all_teams: list[tuple[str, str]], staff: list[str]) -> str:
        """Give the filters their choices: journeys by title, states grouped by journey, teams, active
        staff. Returns what the drawn form depends on (the choices and what was typed), as the key of
        the template's cached fragment: drawing five ``<select>``s of dozens of options costs a page
        more than its reads, and they change only when a journey, a team or a person does."""
        titles = [(name, j.title or name) for name, j in journeys.items()]
        states = [(j.title or name, [(key, s.label) for key, s in j.states.items()]) for name, j in journeys.items()]
        choices: dict[str, list[Any]] = {
            "journey": [("", "Any"), *titles],
            "state": [("", "Any"), *states],
            "team": [("", "Any"), *all_teams],
            "assignee": [("", "Anyone"), (NOBODY, "Nobody yet"), *((u, u) for u in staff)],
        }
        for name, offered in choices.items():
            field = self.fields[name]
            assert isinstance(field, OfferedChoice)
            field.choices = offered
        typed = [self.data.get(name) for name in ("q", *FILTERS)]
        return repr((choices, typed))


class QueueLine(TypedDict):
    """One table row as shown, in words (no markup). A dict: the template engine looks a key up in a
    dict first, so 50 rows of a dozen values each cost the page least this way."""

    href: str
    reference: str
    customer_name: str
    customer_email: str
    state_label: str
    journey: str  # the journey's title
    ended: str  # "ended well", "ended badly", "ended", or "" while open
    owner: str  # in words
    assignee: str  # a username, or "" for nobody
    waited: str
    due: When | None  # the next wait limit
    exception: bool
    handoff_waiting: bool
    overdue: bool
    at_risk: bool
    sits: str  # a search's row: the person's queues holding it, in words ("" for only All)


def _waited(since: datetime, at: datetime) -> str:
    """How long in this state, to the two largest units: "3 d 4 h", "5 h 12 min", "7 min"."""
    minutes = max(0, int((at - since).total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    return f"{hours} h {mins} min" if hours else f"{mins} min"


def queue_lines(rows: list[QueueRow], *, at: datetime, names: dict[str, str]) -> list[QueueLine]:
    """The table's rows in words. Owners are said by their team's name (``names``)."""
    placeholder = "TP-00000"
    case_url = reverse("console:case", args=[placeholder])  # reversed once for the page, not per row
    zone = timezone.get_current_timezone()
    lines = []
    for row in rows:
        c = row.case
        lines.append(
            QueueLine(
                href=case_url.replace(placeholder, c.reference),
                reference=c.reference,
                customer_name=c.customer_name,
                customer_email=c.customer_email,
                state_label=row.state_label,
                journey=(row.journey.title or row.journey.name) if row.journey else "",
                ended=OUTCOME_WORDS.get(c.outcome, "ended") if c.outcome else "",
                owner=owner_words(c.owner, names),
                assignee=c.assignee or "",
                waited=_waited(c.state_entered_at, at),
                due=When.weekday(row.next_due, zone) if row.next_due else None,
                exception=row.exception,
                handoff_waiting=row.handoff_waiting,
                overdue=row.overdue,
                at_risk=row.at_risk,
                sits=", ".join(QUEUES[key] for key in row.queues if key != "all"),
            )
        )
    return lines


def _url(params: dict[str, str], **changes: str | int) -> str:
    merged = {k: v for k, v in {**params, **{k: str(v) for k, v in changes.items()}}.items() if v and v != "1"}
    return "?" + urlencode(merged) if merged else "?"


def _table_context(query: QueueQuery, page: QueuePage, number: int, at: datetime) -> dict[str, Any]:
    """What the table (the whole page's and the live refresh's) shows."""
    params = {"q": query.queue, **{name: getattr(query, name) for name in FILTERS}}
    all_teams = teams()
    lines = queue_lines(page.rows, at=at, names=dict(all_teams))
    label = "Search" if query.everywhere else QUEUES[query.queue]
    previous_url, next_url = _url(params, page=number - 1), _url(params, page=number + 1)
    return {
        "query": query,
        "page": page,
        "lines": lines,
        "all_teams": all_teams,
        "params": params,
        "queue_label": label,
        "poll_url": _url(params, page=number),
        "previous_url": previous_url,
        "next_url": next_url,
        # The table is kept ({% cache %}) under everything it shows, in words: each row (a case that moves,
        # is assigned or nears its limit reads differently, "waited" to the minute), the question and the
        # page's links. The same queue read again within the minute is drawn once per process.
        "table_key": repr((lines, query, page.number, page.has_previous, page.has_next, label, previous_url, next_url)),
    }


@staff_required("agent")
@require_GET
def queue(request: HtmxHttpRequest) -> HttpResponse:
    form = QueueForm(request.GET)
    form.is_valid()  # errors are shown beside their fields; the rest of the query still applies
    query, number = form.query()
    assert isinstance(request.user, StaffUser)  # staff_required let only staff through
    at = now()
    page = queue_page(user=request.user, query=query, number=number, now=at)
    context = _table_context(query, page, number, at)
    if request.htmx:  # the live refresh: the table only
        response = render(request, "console/queues/_table.html", context)
    else:
        params = context["params"]
        filters_key = form.offer(journeys=page.journeys, all_teams=context["all_teams"], staff=active_usernames())
        context |= {
            "form": form,
            "filters_key": filters_key,
            # A tab opens its queue: without the search, which looks across all of them.
            "tabs": [
                (key, label, _url({"q": key, **{k: v for k, v in params.items() if k not in ("q", "search")}}))
                for key, label in QUEUES.items()
            ],
            "poll_seconds": settings.TOUCHPOINT_QUEUE_POLL_SECONDS,
            "walkins": may_open_walkins(request.user),
        }
        response = render(request, "console/queues/queue.html", context)
    patch_vary_headers(response, ("HX-Request",))
    return response
