"""The checker: what principle 1 ("map every path") demands of a journey, rule by rule.

Each rule has a stable code, a slug, a severity and a one-line summary (:data:`RULES`). A finding
says what is wrong and how to fix it, at the most precise place in the file. Rules never trust the
file: a reference to an unknown state, event or touch point is reported (J101-J103) and the move
is left out of every analysis after it, so a typo never crashes a later rule.

Graph rules use only the moves the engine could make (see :mod:`touchpoint.journeys.graph`).
Everything runs in time linear in the journey, except guard comparisons within one (state, event)
and definite assignment (J221), which is linear in the journey times its number of fields.

The case data rules (J220-J227) read the journey's ``data:`` and ``events:``. A journey written
before case data was declared (no ``data:``) still gets J220 for each field its guards read, and
the event rules (J223-J226); the rules that need declarations (J221, J222, J227) stay quiet for it.
With declarations, J212 knows which fields are always present where a timer fires, and the values
they take: `x > 3` and `x <= 3` cover every case when `x` is an intake number.

The rooms: ``rules`` (the table of rules), ``context`` (the facts several rules share, and
:func:`definitely_set`), ``references`` (J101-J104), ``shape`` (J201-J204, J211-J213), ``owners``
(J205-J208, J210), ``silence`` (J209, :func:`silence_bound`; ``silence_hours``: the same on the
calendar with the shop's opening hours, :func:`silence_on_calendar`), ``data`` (J220-J227), ``carrier``
(J230-J235: what the carrier's canonical statuses do in its states) and ``wording``. This
package's public surface is what it exports here."""

from __future__ import annotations

from touchpoint.journeys.checker.carrier import (
    carrier_bad_news,
    carrier_events,
    carrier_misplaced,
    carrier_statuses,
    carrier_unmapped,
)
from touchpoint.journeys.checker.context import Context, definitely_set
from touchpoint.journeys.checker.data import (
    data_bad_writes,
    data_undeclared,
    data_unset,
    data_unused,
    events_label_unused,
    events_unlabelled,
    events_unrecordable,
    guards_dead_for_data,
)
from touchpoint.journeys.checker.owners import exceptions, exits_from_ends, handoffs, untold_failures, untold_visible
from touchpoint.journeys.checker.references import touchpoint_references, unknown_events, unknown_states
from touchpoint.journeys.checker.rules import RULES, Rule
from touchpoint.journeys.checker.shape import (
    dead_guards,
    nondeterminism,
    refusable_timeouts,
    timed_timeout_sims,
    traps,
    unreachable,
    wait_limits,
)
from touchpoint.journeys.checker.silence import SilenceBound, silence_bound, silence_within_bound
from touchpoint.journeys.checker.silence_hours import CalendarSilence, ShopHours, guard_after, silence_on_calendar
from touchpoint.journeys.diagnostics import Diagnostic
from touchpoint.journeys.loader import LoadedJourney

__all__ = [
    "RULES",
    "CalendarSilence",
    "Rule",
    "ShopHours",
    "SilenceBound",
    "check",
    "definitely_set",
    "guard_after",
    "silence_bound",
    "silence_on_calendar",
]


def check(loaded: LoadedJourney, *, hours: ShopHours | None = None) -> list[Diagnostic]:
    """Every finding for a loaded journey, sorted by (line, column, code). With ``hours`` (the
    shop's opening hours and closed days, passed in: the checker reads no database), J209 also counts
    the silence on the calendar those hours make."""
    ctx = Context(loaded, hours)
    found: list[Diagnostic] = []
    for rule in _RULE_CHECKS:
        found.extend(rule(ctx))
    return sorted(found, key=lambda d: (d.location.line, d.location.column, d.code))


_RULE_CHECKS = (
    unknown_states,
    unknown_events,
    touchpoint_references,
    unreachable,
    traps,
    wait_limits,
    nondeterminism,
    handoffs,
    untold_visible,
    exceptions,
    untold_failures,
    silence_within_bound,
    exits_from_ends,
    dead_guards,
    refusable_timeouts,
    timed_timeout_sims,
    data_undeclared,
    data_unset,
    data_unused,
    data_bad_writes,
    events_unrecordable,
    events_unlabelled,
    events_label_unused,
    guards_dead_for_data,
    carrier_statuses,
    carrier_misplaced,
    carrier_unmapped,
    carrier_events,
    carrier_bad_news,
)
