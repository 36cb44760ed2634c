"""The queues page: one list of cases per question (mine, my team's, exceptions, …), with filters,
search, pages of 50, and a partial the page polls with htmx so new cases appear without a reload.

A search looks across every case the person may see (all of them: reading is open to staff), open and
ended, whichever queue it was typed in, and each result says which queues it sits in."""

from __future__ import annotations

from datetime import datetime, tzinfo
from html import escape
from typing import Any

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET

from touchpoint.cases.selectors.queues import NOBODY, QUEUES, STATUSES, QueueQuery, QueueRow, queue_page
from touchpoint.console.html import time_tag
from touchpoint.console.views.walkins import may_open_walkins
from touchpoint.core.clock import now
from touchpoint.staff.access import staff_required
from touchpoint.staff.models import StaffUser
from touchpoint.staff.selectors import active_usernames, owner_words, teams

FILTERS = ("search", "journey", "state", "team", "assignee", "status")


class QueueForm(forms.Form):
    q = forms.ChoiceField(choices=list(QUEUES.items()), required=False, label="Queue")
    search = forms.CharField(
        max_length=100, required=False, strip=True, label="Search",
        help_text="A case reference, a customer's name or email, or a tracking number",
    )  # fmt: skip
    journey = forms.CharField(max_length=80, required=False, label="Journey")
    state = forms.CharField(max_length=80, required=False, label="State")
    team = forms.CharField(max_length=40, required=False, label="Team")
    assignee = forms.CharField(max_length=150, required=False, label="Assignee")
    status = forms.ChoiceField(choices=[("", "Open"), *STATUSES.items()], required=False, label="Status")
    page = forms.IntegerField(min_value=1, max_value=10_000, required=False)

    def query(self) -> tuple[QueueQuery, int]:
        """The valid part of what was asked; a field with an error is left out (and shown)."""
        clean: dict[str, Any] = getattr(self, "cleaned_data", {})
        values = {name: clean.get(name) or "" for name in FILTERS}
        return QueueQuery(queue=clean.get("q") or "mine", **values), clean.get("page") or 1


def _waited(since: datetime, at: datetime) -> str:
    """How long in this state, to the two largest units: "3 d 4 h", "5 h 12 min", "7 min"."""
    minutes = max(0, int((at - since).total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    return f"{hours} h {mins} min" if hours else f"{mins} min"


def _due(due: datetime | None, zone: tzinfo) -> str:
    return '<span class="muted">none</span>' if due is None else time_tag(due, zone, weekday=True)


def _badges(row: QueueRow) -> str:
    badges = []
    if row.exception:
        badges.append('<span class="badge">exception</span>')
    if row.handoff_waiting:
        badges.append('<span class="badge handoff">handoff waiting</span>')
    if row.overdue:
        badges.append('<span class="badge">overdue</span>')
    elif row.at_risk:
        badges.append('<span class="badge risk">at risk</span>')
    return " ".join(badges)


OUTCOME_WORDS = {"success": "ended well", "failure": "ended badly"}


def _sits(row: QueueRow) -> str:
    """Which of the person's queues a search result sits in, in words."""
    if row.case.outcome:
        return '<span class="muted">in no queue: the case has ended</span>'
    named = [QUEUES[key] for key in row.queues if key != "all"]
    return escape(", ".join(named)) if named else '<span class="muted">only in All</span>'


def table_rows(rows: list[QueueRow], *, at: datetime, names: dict[str, str], search: bool = False) -> SafeString:
    """The table's rows, built here rather than in the template: 50 rows of eight cells through the
    template engine cost a page ~20 ms, this ~1 ms. Every value from the database is escaped. Owners
    are said by their team's name (``names``); a search's rows say which queues each case sits in."""
    placeholder = "TP-00000"
    case_url = reverse("console:case", args=[placeholder])
    zone = timezone.get_current_timezone()
    lines = []
    for row in rows:
        c = row.case
        journey = (row.journey.title or row.journey.name) if row.journey else ""
        ended = f" · {OUTCOME_WORDS.get(c.outcome, 'ended')}" if c.outcome else ""
        href = escape(case_url.replace(placeholder, c.reference))
        assignee = escape(c.assignee) if c.assignee else '<span class="muted">nobody</span>'
        lines.append(
            f"<tr data-row{' class="exception"' if row.exception else ''}>"
            f'<th scope="row"><a href="{href}">{escape(c.reference)}</a></th>'
            f'<td>{escape(c.customer_name)}<br><span class="muted">{escape(c.customer_email)}</span></td>'
            f'<td>{escape(row.state_label)}<br><span class="muted">{escape(journey)}{ended}</span></td>'
            f"<td>{escape(owner_words(c.owner, names))}</td><td>{assignee}</td>"
            f"<td>{_waited(c.state_entered_at, at)}</td><td>{_due(row.next_due, zone)}</td><td>{_badges(row)}</td>"
            + (f"<td>{_sits(row)}</td>" if search else "")
            + "</tr>"
        )
    return mark_safe("\n".join(lines))  # noqa: S308 - every value above went through escape()


def _options(choices: list[tuple[str, str]], selected: str) -> SafeString:
    """``<option>``s for a filter, built here for the same reason as the rows."""
    return mark_safe(  # noqa: S308 - values and labels escaped
        "".join(
            f'<option value="{escape(v)}"{" selected" if v == selected else ""}>{escape(label)}</option>'
            for v, label in choices
        )
    )


def _filter_options(
    query: QueueQuery, journeys: dict[str, Any], all_teams: list[tuple[str, str]]
) -> dict[str, SafeString]:
    states = "".join(
        f'<optgroup label="{escape(j.title or name)}">'
        + _options([(key, state.label) for key, state in j.states.items()], query.state)
        + "</optgroup>"
        for name, j in journeys.items()
    )
    staff = active_usernames()
    return {
        "journey": _options([("", "Any"), *((n, j.title or n) for n, j in journeys.items())], query.journey),
        "state": mark_safe(_options([("", "Any")], query.state) + states),  # noqa: S308 - built escaped above
        "team": _options([("", "Any"), *all_teams], query.team),
        "assignee": _options([("", "Anyone"), (NOBODY, "Nobody yet"), *((u, u) for u in staff)], query.assignee),
        "status": _options([("", "Open"), *STATUSES.items()], query.status),
    }


def _url(params: dict[str, str], **changes: str | int) -> str:
    merged = {k: v for k, v in {**params, **{k: str(v) for k, v in changes.items()}}.items() if v and v != "1"}
    return "?" + urlencode(merged) if merged else "?"


@staff_required("agent")
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    form = QueueForm(request.GET)
    form.is_valid()  # errors are shown beside their fields; the rest of the query still applies
    query, number = form.query()
    assert isinstance(request.user, StaffUser)  # staff_required let only staff through
    at = now()
    page = queue_page(user=request.user, query=query, number=number, now=at)
    params = {"q": query.queue, **{name: getattr(query, name) for name in FILTERS}}
    all_teams = teams()
    context = {
        "form": form,
        "query": query,
        "page": page,
        "rows": table_rows(page.rows, at=at, names=dict(all_teams), search=query.everywhere),
        # A tab opens its queue: without the search, which looks across all of them.
        "tabs": [
            (key, label, _url({"q": key, **{k: v for k, v in params.items() if k not in ("q", "search")}}))
            for key, label in QUEUES.items()
        ],
        "queue_label": "Search" if query.everywhere else QUEUES[query.queue],
        "poll_url": _url(params, page=number),
        "previous_url": _url(params, page=number - 1),
        "next_url": _url(params, page=number + 1),
        "poll_seconds": settings.TOUCHPOINT_QUEUE_POLL_SECONDS,
        "walkins": False,
        "statuses": STATUSES,
    }
    if request.headers.get("HX-Request"):  # the live refresh: the table only
        response = render(request, "console/queues/_table.html", context)
    else:
        context["options"] = _filter_options(query, page.journeys, all_teams)
        context["walkins"] = may_open_walkins(request.user)
        response = render(request, "console/queues/queue.html", context)
    patch_vary_headers(response, ("HX-Request",))
    return response
