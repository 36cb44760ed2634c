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
from touchpoint.insights.figures_feedback import (
    csat_by_agent,
    csat_by_journey,
    csat_by_step,
    messages_by_kind,
    remedies_cost,
)
from touchpoint.insights.reliability import carrier_reliability

FIGURES: dict[str, Callable[[Scope], Figure]] = {
    "time_in_state": time_in_state,
    "pile_ups": pile_ups,
    "timer_breaches": timer_breaches,
    "silence_gaps": silence_gaps,
    "exceptions_by_cause": exceptions_by_cause,
    "messages_by_kind": messages_by_kind,
    "csat_by_journey": csat_by_journey,
    "csat_by_step": csat_by_step,
    "csat_by_agent": csat_by_agent,
    "remedies_cost": remedies_cost,
    "carrier_reliability": carrier_reliability,
}


def insights_report(scope: Scope, *, only: list[str] | None = None) -> list[Figure]:
    return [FIGURES[key](scope) for key in (only or list(FIGURES))]
