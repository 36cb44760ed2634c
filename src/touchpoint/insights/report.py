"""The figures, in the order a lead reads them, by key."""

from __future__ import annotations

from collections.abc import Callable

from touchpoint.insights.figures import (
    Figure,
    Scope,
    exceptions_by_cause,
    pile_ups,
    silence_gaps,
    time_in_state,
    timer_breaches,
)

FIGURES: dict[str, Callable[[Scope], Figure]] = {
    "time_in_state": time_in_state,
    "pile_ups": pile_ups,
    "timer_breaches": timer_breaches,
    "silence_gaps": silence_gaps,
    "exceptions_by_cause": exceptions_by_cause,
}


def insights_report(scope: Scope, *, only: list[str] | None = None) -> list[Figure]:
    return [FIGURES[key](scope) for key in (only or list(FIGURES))]
