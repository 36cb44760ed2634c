"""Thin views: read through selectors, render. The journey map is live: open cases per state, the
oldest of each, pile-ups and overdue timers, each state a link to its queue."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET

from touchpoint.console.selectors import (
    FINISHED_WINDOW,
    JourneyLive,
    StateLive,
    journey_live,
    journey_summaries,
    journey_version,
)
from touchpoint.core.clock import now
from touchpoint.journeys.durations import format_duration
from touchpoint.journeys.render.svg import StateMark, render_svg
from touchpoint.journeys.render.words import Words
from touchpoint.staff.access import staff_required
from touchpoint.staff.selectors import owner_words, team_names

POLL_SECONDS = 15


@require_GET
@staff_required("agent")
def journeys(request: HttpRequest) -> HttpResponse:
    names = team_names()
    at = now()
    summaries = []
    for s in journey_summaries(at=at):
        states = [(c, owner_words(c.owner, names)) for c in s.states]
        # Each journey's table is kept ({% cache %}) under everything it shows: the version's id and
        # content hash (its title and states), each state's owner in words, count and oldest arrival,
        # and the minute (how long ago, in words). A case that moves changes the key: never stale.
        shown = [(c.state, owner, c.cases, c.oldest_entered) for c, owner in states]
        key = repr((s.version.pk, s.version.sha256, s.open_cases, shown, at.replace(second=0, microsecond=0)))
        summaries.append((s, states, key))
    return render(request, "console/journeys.html", {"summaries": summaries, "finished_days": FINISHED_WINDOW.days})


def queue_url(*, journey: str, state: str) -> str | None:
    """The queue page filtered to one state, over every case (``q=all``), not only the viewer's own
    (None while the console has no queue page)."""
    try:
        base = reverse("console:queue")
    except NoReverseMatch:
        return None
    return f"{base}?{urlencode({'q': 'all', 'state': state, 'journey': journey})}"


def _badge(s: StateLive) -> str | None:
    if s.terminal:
        return None
    if not s.cases:
        return "0"
    age = format_duration(s.oldest_age.total_seconds()) if s.oldest_age else "0s"
    return f"{s.cases} · oldest {age}"


def _note(s: StateLive) -> str:
    if s.terminal:
        return "an end state"
    words = [f"{s.cases} open case{'s' if s.cases != 1 else ''}"]
    if s.oldest_age is not None:
        words.append(f"oldest waiting {format_duration(s.oldest_age.total_seconds())}")
    if s.pile_up:
        words.append("piling up")
    if s.late:
        words.append("past its wait limit")
    if s.overdue_timers:
        words.append(f"{s.overdue_timers} overdue timer{'s' if s.overdue_timers != 1 else ''}")
    return ", ".join(words)


@dataclass(frozen=True)
class Row:
    """One state as the page shows it, in the graph and in the table below it."""

    s: StateLive
    owner: str  # who owns the state, in words
    href: str | None
    age: str
    wait: str
    note: str

    def mark(self) -> StateMark:
        return StateMark(classes=("live", *self.s.flags), badge=_badge(self.s), note=self.note, href=self.href)


def _rows(live: JourneyLive, names: dict[str, str]) -> list[Row]:
    return [
        Row(
            s=s,
            owner=owner_words(s.owner, names),
            href=queue_url(journey=live.version.name, state=s.state),
            age=format_duration(s.oldest_age.total_seconds()) if s.oldest_age is not None else "",
            wait=format_duration(s.wait_limit) if s.wait_limit else "",
            note=_note(s),
        )
        for s in live.states
    ]


@require_GET
@staff_required("agent")
def journey_map(request: HttpRequest, name: str, version: int) -> HttpResponse:
    found = journey_version(name, version)
    if found is None:
        raise Http404("no such journey version")
    live = journey_live(version=found, at=now())
    names = team_names()
    rows = _rows(live, names)
    marks = {row.s.state: row.mark() for row in rows}
    owners = {state.owner: owner_words(state.owner, names) for state in live.journey.states.values()}
    context = {
        "version": found,
        "journey": live.journey,
        "live": live,
        "rows": rows,
        "svg": render_svg(live.journey, marks=marks, declaration=False, words=Words(live.journey, owners)),
        "poll_seconds": POLL_SECONDS,
    }
    template = "console/_journey_live.html" if request.GET.get("partial") == "live" else "console/journey_map.html"
    return render(request, template, context)
