"""The shop's history that the ETA learns from, made through the product: repairs walked home by the
people and pages that move them (tests.quotes.repair), closed by the customer's feedback, and the
worker's pass that works the figures out."""

from __future__ import annotations

from datetime import datetime, timedelta

from tests.quotes.repair import repair_case, walk_to
from tests.support.factories import CustomerFactory
from touchpoint.cases.models import Case
from touchpoint.core.clock import at
from touchpoint.feedback.services import feedback_give
from touchpoint.worker.jobs import jobs


def past_case(start: datetime, days_to_home: float, feedback_days: float = 1.0) -> Case:
    """A repair that entered surgery at ``start``, was home ``days_to_home`` later, and was closed by
    its feedback ``feedback_days`` after that (time the ETA must not count)."""
    with at(start):
        case = repair_case(CustomerFactory(), "in_surgery")
    with at(start + timedelta(days=days_to_home)):
        case = walk_to(case, "feedback_asked")
    with at(start + timedelta(days=days_to_home + feedback_days)):
        case = feedback_give(case=case, version=case.version, csat=5).case
    assert case.outcome == "success"
    return case


def worker_works_out_eta() -> int:
    """The worker's ETA job, as its pass runs it (found by name in ``worker.jobs``): how many
    journeys it worked out again."""
    job = dict(jobs())["eta-figures"]
    return job(worker_id="test-worker", batch=100, lease_seconds=60)
