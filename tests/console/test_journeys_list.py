"""The journeys list counts open cases per state and, for an end state, only the cases that reached
it within the last week: what it reads doesn't grow with the shop's history."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from tests.support.factories import CustomerFactory
from touchpoint.cases.actors import SYSTEM
from touchpoint.cases.models import Case, JourneyVersion
from touchpoint.core.clock import at, now
from touchpoint.flows.advance import case_advance, case_open
from touchpoint.staff.models import StaffUser

pytestmark = pytest.mark.django_db


def cancelled_unpaid(days_ago: float) -> Case:
    """A case opened and cancelled for want of payment (the journey's own timeout) ``days_ago``."""
    with at(now() - timedelta(days=days_ago)):
        case = case_open(journey="mini-repair", customer=CustomerFactory(), actor=SYSTEM, data={"model": "x"}).case
        return case_advance(case=case, event="payment_timeout", actor=SYSTEM).case


def cases_cell(html: str, label: str) -> str:
    row = html.split(f'<th scope="row">{label}</th>', 1)[1].split("</tr>", 1)[0]
    return row.split('<td class="num">', 1)[1].split("</td>", 1)[0]


def test_end_states_count_the_last_week_and_open_states_every_open_case(
    client: Client, mini_journey: JourneyVersion, bench_tech: StaffUser
) -> None:
    with at(now() - timedelta(days=400)):  # an order from long ago, still waiting: open cases all count
        case_open(journey="mini-repair", customer=CustomerFactory(), actor=SYSTEM, data={"model": "x"})
    case_open(journey="mini-repair", customer=CustomerFactory(), actor=SYSTEM, data={"model": "x"})
    for days_ago in (0.5, 6, 8, 300):
        assert cancelled_unpaid(days_ago).outcome == "failure"
    client.force_login(bench_tech)
    html = client.get("/console/journeys/").content.decode()
    assert "2 open cases" in html
    assert cases_cell(html, "Order received") == "2"
    assert cases_cell(html, "Cancelled") == '2 <span class="muted">in 7 days</span>'  # not the 8 or 300 days old
    assert "an end state counts the cases that reached it in the last 7 days" in html
