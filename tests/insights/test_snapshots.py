"""The insights and people figures the worker keeps: the pages read one stored row per window and say
when it was worked out; a missing window is worked out at once for a small shop, else by the worker
(the page says so); the worker keeps every window fresh on its schedule, a pass at a time."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client, override_settings

from tests.support.factories import StaffFactory
from touchpoint.cases.actors import SYSTEM
from touchpoint.cases.models import Case
from touchpoint.core.clock import at, now
from touchpoint.flows.advance import case_open
from touchpoint.insights.figures import Scope
from touchpoint.insights.report import insights_report
from touchpoint.insights.snapshots import VERSIONS, figure_dump, figure_load
from touchpoint.staff.models import Role
from touchpoint.worker.loop import Worker

pytestmark = pytest.mark.django_db

WORKING_OUT = "These figures are being worked out"


def signed_in(role: str) -> Client:
    client = Client()
    client.force_login(StaffFactory(role=role))
    return client


def open_cases(customer: Any, count: int) -> None:
    for _ in range(count):
        case_open(journey="mini-repair", customer=customer, actor=SYSTEM, data={"model": "nano-4g"})


def worker_jobs(**run: Any) -> int:
    """Windows the worker worked out (its other jobs, such as the ETA figures, aside)."""
    return Worker(worker_id="w1").run(**run).jobs.get("insights-figures", 0)


def test_a_stored_figure_reads_back_as_it_was_worked_out(mini_journey: Any, customer: Any) -> None:
    open_cases(customer, 3)
    figures = insights_report(Scope(since=now() - timedelta(days=30)))
    assert [figure_load(figure_dump(f)) for f in figures] == figures
    pile_ups = next(f for f in figures if f.key == "pile_ups")
    assert pile_ups.rows[0][:4] == ("mini-repair", "ordered", "Order received", 3)


@override_settings(TOUCHPOINT_INSIGHTS_SYNC_CASES=1)
def test_a_big_window_is_worked_out_by_the_worker_and_the_page_says_so_meanwhile(
    mini_journey: Any, customer: Any
) -> None:
    open_cases(customer, 2)  # more than the one case worked out during a request
    lead = signed_in(Role.LEAD)
    html = lead.get("/console/insights/?days=7").content.decode()
    assert WORKING_OUT in html and "Where cases pile up</h2>" not in html
    waiting = lead.get("/console/insights/pile_ups.csv?days=7")
    assert (waiting.status_code, waiting["Retry-After"]) == (503, "60")
    assert "download them again in a minute" in waiting.content.decode()
    # The worker works out every window the page offers (7, 30, 90, 365 days; all journeys and
    # mini-repair: 8), one a pass, then has nothing due.
    assert worker_jobs(until_idle=True) == 8
    html = lead.get("/console/insights/?days=7").content.decode()
    assert WORKING_OUT not in html
    assert "As of " in html and "(worked out again every 10 minutes)" in html
    assert ">2 cases</text>" in html
    csv = lead.get("/console/insights/pile_ups.csv?days=365&journey=mini-repair").content.decode()
    assert csv.splitlines()[1].startswith("mini-repair,ordered,Order received,2,")
    assert worker_jobs(until_idle=True) == 0  # nothing due: fresh for ten minutes


def test_the_worker_works_a_window_out_again_when_its_time_comes(mini_journey: Any, customer: Any) -> None:
    open_cases(customer, 2)
    lead = signed_in(Role.LEAD)
    assert ">2 cases</text>" in lead.get("/console/insights/?days=7").content.decode()  # small: worked out at once
    open_cases(customer, 1)
    # The page reads what was stored: the third case shows once the worker works the window out again.
    assert ">2 cases</text>" in lead.get("/console/insights/?days=7").content.decode()
    with at(now() + timedelta(minutes=5)):
        # first, the windows no one had looked at yet (7 more: 30, 90 and 365 days, and every window of mini-repair)
        assert worker_jobs(until_idle=True) == 7
    with at(now() + timedelta(minutes=11)):
        # 10 minutes on: the 7-day window asked at first is due (the others, worked out 5 minutes in, are not)
        assert worker_jobs(until_idle=True) == 1
        assert ">3 cases</text>" in lead.get("/console/insights/?days=7").content.decode()
    with at(now() + timedelta(hours=2)):
        assert worker_jobs(until_idle=True) == 8  # every window, the year's included (every hour)


def test_each_pass_works_out_one_window_at_most(mini_journey: Any, customer: Any) -> None:
    open_cases(customer, 1)
    signed_in(Role.LEAD).get("/console/people/")
    assert worker_jobs(max_passes=1) == 1
    assert worker_jobs(until_idle=True) == 1  # the other of people's two windows not yet looked at (30 and 365 days)


def test_a_deploy_that_changes_the_stored_shape_works_every_window_out_again(
    mini_journey: Any, customer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    open_cases(customer, 2)
    lead = signed_in(Role.LEAD)
    lead.get("/console/insights/")
    assert worker_jobs(until_idle=True) == 7
    monkeypatch.setitem(VERSIONS, "insights", VERSIONS["insights"] + 1)  # the new code's shape
    assert worker_jobs(until_idle=True) == 8
    assert ">2 cases</text>" in lead.get("/console/insights/").content.decode()


def test_the_insights_page_reads_one_row_whatever_the_number_of_cases(
    mini_journey: Any, customer: Any, django_assert_num_queries: Any
) -> None:
    client = signed_in(Role.LEAD)
    client.get("/console/insights/?days=7")  # the first look: the worker keeps every window from now on
    for total, later in ((3, 15), (30, 30)):
        while Case.objects.count() < total:
            open_cases(customer, 1)
        # the 7 days' window is due again (every 10 minutes): the worker works it out, before the
        # cases' first wait limit (an hour) moves them on
        with at(now() + timedelta(minutes=later)):
            worker_jobs(until_idle=True)
        # 5: the session, the lead and their two-factor device (3); the journeys' titles (1); the window's figures (1)
        with django_assert_num_queries(5):
            page = client.get("/console/insights/?days=7")
        assert f">{total} cases</text>" in page.content.decode()
        with django_assert_num_queries(5):
            assert client.get("/console/insights/pile_ups.csv?days=7").status_code == 200


def test_a_missing_small_window_is_worked_out_during_the_request(
    mini_journey: Any, customer: Any, django_assert_num_queries: Any
) -> None:
    open_cases(customer, 3)
    client = signed_in(Role.LEAD)
    # 26: the session, the lead, their device and the journeys' titles (4); the window's figures,
    # missing (1); its cases, counted up to the small shop's bound (1); the figures worked out (16,
    # as the page did on every request before); stored: an update that finds no row, then an insert
    # in a savepoint (4).
    with django_assert_num_queries(26):
        assert ">3 cases</text>" in client.get("/console/insights/?days=90").content.decode()
    with django_assert_num_queries(5):
        assert ">3 cases</text>" in client.get("/console/insights/?days=90").content.decode()
