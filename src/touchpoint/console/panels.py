"""What each area adds to the staff case view, beside the timeline and the actions.

The case view (``views/case.py``) calls every function in :data:`PANELS` with the request and
the case; each returns the context for its own partial (``console/<area>/_panel.html``) or
``None`` when it has nothing to show for this case, state or role. Areas stay in their own modules.

An area with a :data:`GATES` entry is not called at all when what the case view has already read
(:class:`Seen`: the timeline's events, whether the customer wrote) shows it can have nothing to show:
a case without a quote or words to group costs those panels no query."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from typing import Any

from django.http import HttpRequest

from touchpoint.cases.models import Case
from touchpoint.feedback.services import FEEDBACK_EVENT
from touchpoint.flows.quotes import PROPOSE_EVENTS

PanelFn = Callable[[HttpRequest, Case], dict[str, Any] | None]

# (area, "module:function"), in the order they appear on the page.
PANELS: list[tuple[str, str]] = [
    ("quotes", "touchpoint.console.views.quotes:quote_panel"),
    ("payments", "touchpoint.console.views.payments:payment_panel"),
    ("remedies", "touchpoint.console.views.remedies:remedy_panel"),
    ("themes", "touchpoint.console.views.themes:theme_panel"),
    ("parcels", "touchpoint.console.views.parcels:parcels_panel"),
]


@dataclass(frozen=True)
class Seen:
    """What the case view has read already that tells whether an area can have anything to show."""

    events: frozenset[str]  # every event in the case's timeline
    wrote: bool  # the customer wrote on the case (an email, a message on their page)


# area -> whether its function may have something to show. Each must say yes whenever the function
# could: a gate only spares a query that is certain to find nothing.
GATES: dict[str, Callable[[Case, Seen], bool]] = {
    # A quote is written only with its proposal's move, in one transaction
    # (flows.quotes.quote_propose); the form to propose one shows only in a state that takes one.
    "quotes": lambda case, seen: case.state in PROPOSE_EVENTS or not seen.events.isdisjoint(PROPOSE_EVENTS.values()),
    # Themes group the customer's own words on the case (themes.selectors.said_on_case): their replies,
    # and a feedback comment (written with the feedback's move: feedback.services.feedback_give).
    "themes": lambda case, seen: seen.wrote or FEEDBACK_EVENT in seen.events,
}


@dataclass(frozen=True)
class Panel:
    area: str
    template: str
    context: dict[str, Any]


def panels_for(request: HttpRequest, case: Case, seen: Seen | None = None) -> list[Panel]:
    """The panels with something to show, in order; with ``seen``, gated areas that can't are skipped."""
    shown = []
    for area, target in PANELS:
        gate = GATES.get(area)
        if seen is not None and gate is not None and not gate(case, seen):
            continue
        module, name = target.split(":")
        fn: PanelFn | None = getattr(import_module(module), name, None)
        context = fn(request, case) if fn is not None else None
        if context is not None:
            shown.append(Panel(area, f"console/{area}/_panel.html", context))
    return shown
