"""The insights page: leads only, every figure drawn and tabled, each downloadable as CSV."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from tests.support.factories import StaffFactory
from touchpoint.cases.actors import SYSTEM
from touchpoint.core.clock import at, now
from touchpoint.flows.advance import case_open
from touchpoint.staff.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def some_cases(mini_journey: Any, customer: Any) -> None:
    for _ in range(2):
        case_open(journey="mini-repair", customer=customer, actor=SYSTEM, data={"model": "nano-4g"})


def signed_in(role: str) -> Client:
    client = Client()
    client.force_login(StaffFactory(role=role))
    return client


def test_anonymous_visitors_are_sent_to_sign_in_and_agents_refused(some_cases: None) -> None:
    assert Client().get("/console/insights/").status_code == 302
    refused = signed_in(Role.AGENT).get("/console/insights/")
    assert refused.status_code == 403
    assert "needs the lead role" in refused.content.decode()
    assert signed_in(Role.AGENT).get("/console/insights/pile_ups.csv").status_code == 403


def test_a_lead_sees_every_figure_with_its_chart_and_table(some_cases: None) -> None:
    page = signed_in(Role.LEAD).get("/console/insights/?journey=mini-repair&days=7")
    html = page.content.decode()
    assert page.status_code == 200
    for title in ("Time in each state", "Where cases pile up", "Timer breaches", "Silence gaps", "Exceptions by cause"):
        assert f">{title}</h2>" in html
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="ins-chart"' in html  # pile-ups has two open cases
    assert "<td>Order received</td>" in html


def test_csv_download_has_the_figures_rows(some_cases: None) -> None:
    response = signed_in(Role.LEAD).get("/console/insights/pile_ups.csv?journey=mini-repair&days=365")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="pile_ups-mini-repair-365d.csv"'
    lines = response.content.decode().splitlines()
    assert lines[0] == "journey,state,label,open,oldest_hours,past_wait_limit"
    assert lines[1].startswith("mini-repair,ordered,Order received,2,")


def test_unknown_figures_and_odd_parameters_get_plain_answers(some_cases: None) -> None:
    client = signed_in(Role.LEAD)
    assert client.get("/console/insights/nonsense.csv").status_code == 404
    page = client.get("/console/insights/?journey=%3Cscript%3E&days=9999")
    assert page.status_code == 200
    assert "<script>" not in page.content.decode()


def test_the_page_speaks_in_words_not_column_names(some_cases: None) -> None:
    html = signed_in(Role.LEAD).get("/console/insights/?days=365").content.decode()
    for heading in ("Median hours", "9 in 10 within (hours)", "Cases there now", "Open cases", "Past the wait limit"):
        assert f'<th scope="col">{heading}</th>' in html
    for machine in ("P50", "p50_hours", "There now", "there_now", "Past wait limit"):
        assert machine not in html
    # Both open cases wait in "Order received": its bar is labelled in full, with the count beside it
    assert '<text class="ins-label" x="0" y="16" font-size="13" fill="#1d232b">Order received</text>' in html
    assert ">2 cases</text>" in html


def test_one_case_is_a_case(mini_journey: Any, customer: Any) -> None:
    case_open(journey="mini-repair", customer=customer, actor=SYSTEM, data={"model": "nano-4g"})
    html = signed_in(Role.LEAD).get("/console/insights/?days=365").content.decode()
    assert ">1 case</text>" in html and "1 cases" not in html


def test_the_figures_cover_a_window_the_page_names_never_the_whole_history(mini_journey: Any, customer: Any) -> None:
    for days_ago in (2, 20, 200, 400):
        with at(now() - timedelta(days=days_ago)):
            case_open(journey="mini-repair", customer=customer, actor=SYSTEM, data={"model": "nano-4g"})
    client = signed_in(Role.LEAD)
    html = client.get("/console/insights/").content.decode()
    assert '<option value="30" selected>the last 30 days</option>' in html  # the window, named
    assert '<option value="365">the last year</option>' in html and "all time" not in html
    assert ">2 cases</text>" in html  # pile-ups: the two opened within 30 days
    assert ">3 cases</text>" in client.get("/console/insights/?days=365").content.decode()
    # "all" is no longer a window: it reads as the default, 30 days
    assert ">2 cases</text>" in client.get("/console/insights/?days=all").content.decode()
    csv = client.get("/console/insights/pile_ups.csv?days=365")
    assert csv["Content-Disposition"] == 'attachment; filename="pile_ups-365d.csv"'
    assert csv.content.decode().splitlines()[1].startswith("mini-repair,ordered,Order received,3,")
