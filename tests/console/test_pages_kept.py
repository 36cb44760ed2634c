"""The journeys, insights and queue pages keep what they drew ({% cache %}) under everything it shows, so
a page read again is drawn from the process's cache, and a change (a case that moves, a new journey
version, new figures from the worker) is shown on the next read, never a kept drawing of before."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.core.cache.utils import make_template_fragment_key
from django.test import Client

from tests.console.given import signed_in
from tests.support.factories import CustomerFactory, StaffFactory
from touchpoint.cases.actors import SYSTEM
from touchpoint.cases.journeys import journey_register
from touchpoint.cases.models import Case, JourneyVersion
from touchpoint.cases.services.assign import case_assign
from touchpoint.core.clock import at, now
from touchpoint.flows.advance import case_advance, case_open
from touchpoint.staff.models import Role, StaffUser
from touchpoint.worker.loop import Worker

pytestmark = pytest.mark.django_db


def ordered(n: int) -> list[Case]:
    return [
        case_open(journey="mini-repair", customer=CustomerFactory(), actor=SYSTEM, data={"model": "nano-4g"}).case
        for _ in range(n)
    ]


def kept(fragment: str, key: str) -> str | None:
    """The drawing the page kept under ``key``, if any."""
    found = cache.get(make_template_fragment_key(fragment, [key]))
    return None if found is None else str(found)


def cases_cell(html: str, label: str) -> str:
    row = html.split(f'<th scope="row">{label}</th>', 1)[1].split("</tr>", 1)[0]
    return row.split('<td class="num">', 1)[1].split("</td>", 1)[0]


# --- journeys -------------------------------------------------------------------------------------------


def test_the_journeys_page_shows_a_case_that_moved_on_the_next_read(
    mini_journey: JourneyVersion, bench_tech: StaffUser
) -> None:
    first, _ = ordered(2)
    client = signed_in(bench_tech)
    with at(now()):  # one minute throughout: only what the cases do changes the page
        response = client.get("/console/journeys/")
        (_, _, key), *_ = response.context["summaries"]
        assert kept("journey-summary", key) is not None  # drawn once, kept
        html = client.get("/console/journeys/").content.decode()
        assert cases_cell(html, "Order received") == "2" and cases_cell(html, "Waiting for your device") == "0"
        case_advance(case=first, event="payment_received", actor=SYSTEM)
        html = client.get("/console/journeys/").content.decode()
    assert cases_cell(html, "Order received") == "1"
    assert cases_cell(html, "Waiting for your device") == "1"
    assert "2 open cases" in html


def test_a_new_journey_version_is_listed_on_the_next_read(mini_journey: JourneyVersion, bench_tech: StaffUser) -> None:
    ordered(1)
    client = signed_in(bench_tech)
    client.get("/console/journeys/")
    assert "version 2" not in client.get("/console/journeys/").content.decode()
    source = mini_journey.source.replace("version: 1\n", "version: 2\n", 1)
    journey_register(source=source, filename="mini-repair-v2.yaml")
    html = client.get("/console/journeys/").content.decode()
    assert "version 2 · 0 open cases" in html and "version 1 · 1 open case<" in html


def test_the_counts_come_from_one_grouped_read_of_the_open_cases(mini_journey: JourneyVersion) -> None:
    from touchpoint.console.selectors import open_per_state

    cases = ordered(3)
    case_advance(case=cases[0], event="payment_received", actor=SYSTEM)
    case_advance(case=cases[1], event="payment_timeout", actor=SYSTEM)  # ended: not counted
    waiting = Case.objects.get(pk=cases[0].pk)
    oldest_ordered = Case.objects.get(pk=cases[2].pk)
    assert open_per_state(Case.objects.all()) == {
        (mini_journey.pk, "awaiting_device"): (1, waiting.state_entered_at),
        (mini_journey.pk, "ordered"): (1, oldest_ordered.state_entered_at),
    }


# --- insights -------------------------------------------------------------------------------------------


def worker_pass() -> int:
    return Worker(worker_id="w1").run(until_idle=True).jobs.get("insights-figures", 0)


def figures_part(html: str) -> str:
    return html[html.index('<nav aria-label="Figures"') :]


def test_insights_are_drawn_once_per_snapshot_and_new_figures_show_at_once(
    mini_journey: JourneyVersion, customer: Any
) -> None:
    ordered(2)
    lead = Client()
    lead.force_login(StaffFactory(role=Role.LEAD))
    fresh = lead.get("/console/insights/?days=7")  # a small shop: worked out during the request, not kept
    assert fresh.context["figures_key"] is None
    again = lead.get("/console/insights/?days=7")  # read back from the stored row: drawn, and kept
    key = again.context["figures_key"]
    assert key is not None and kept("insights-figures", key) is not None
    assert figures_part(again.content.decode()) == figures_part(fresh.content.decode())
    assert figures_part(lead.get("/console/insights/?days=7").content.decode()) == figures_part(fresh.content.decode())
    ordered(1)
    # the stored figures are what the page shows until the worker works the window out again
    assert ">2 cases</text>" in lead.get("/console/insights/?days=7").content.decode()
    with at(now() + timedelta(minutes=11)):
        assert worker_pass() >= 1
        newer = lead.get("/console/insights/?days=7")
    assert newer.context["figures_key"] != key
    assert ">3 cases</text>" in newer.content.decode() and ">2 cases</text>" not in newer.content.decode()


def test_each_window_and_journey_keeps_its_own_drawing(mini_journey: JourneyVersion, customer: Any) -> None:
    ordered(2)
    lead = Client()
    lead.force_login(StaffFactory(role=Role.LEAD))
    for url in ("/console/insights/?days=7", "/console/insights/?days=7&journey=mini-repair"):
        lead.get(url)
        lead.get(url)
    one = lead.get("/console/insights/?days=7").content.decode()
    other = lead.get("/console/insights/?days=7&journey=mini-repair").content.decode()
    assert 'pile_ups.csv?days=7"' in one and "journey=" not in figures_part(one)
    assert 'pile_ups.csv?journey=mini-repair&amp;days=7"' in other


# --- the queues -----------------------------------------------------------------------------------------


def queue_refs(client: Client, query: str) -> list[str]:
    response = client.get(f"/console/{query}")
    assert response.status_code == 200
    return [row.case.reference for row in response.context["page"].rows]


def test_a_queue_shows_a_change_on_the_next_read_and_the_live_refresh(mini_journey: JourneyVersion) -> None:
    agent = StaffFactory(username="agent", teams=["bench"], role=Role.LEAD)  # a lead may take any case
    first, second = ordered(2)
    client = signed_in(agent)
    with at(now()):  # one minute throughout: only what the cases do changes the table
        html = client.get("/console/?q=all").content.decode()
        assert kept("queue-table", client.get("/console/?q=all").context["table_key"]) is not None
        assert html.count("<td>Order received<br>") == 2
        assert queue_refs(client, "?q=mine") == []
        case_assign(case=second, assignee=agent, actor=agent)
        assert queue_refs(client, "?q=mine") == [second.reference]
        case_advance(case=first, event="payment_received", actor=SYSTEM)
        html = client.get("/console/?q=all").content.decode()
        live = client.get("/console/?q=all", headers={"HX-Request": "true"}).content.decode()
    for page in (html, live):
        assert page.count("<td>Order received<br>") == 1 and page.count("<td>Waiting for your device<br>") == 1
        assert f"{second.reference}</a></th><td>" in page and "<td>agent</td>" in page
