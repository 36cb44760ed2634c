"""The queues: who sees which cases, search, filters, order, paging, the live-refresh partial, and
bad input answered with a message (never a 500)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from tests.staff.queue_cases import make_case, make_task, make_timer
from tests.support.factories import CustomerFactory, StaffFactory
from touchpoint.cases.models import Case, JourneyVersion, TaskKind
from touchpoint.core.clock import now
from touchpoint.customers.models import Customer
from touchpoint.shipping.models import Shipment
from touchpoint.staff.models import StaffUser

pytestmark = pytest.mark.django_db


@pytest.fixture
def tech(db: Any) -> StaffUser:
    return StaffFactory(username="tech", teams=["bench"])


def client_for(user: StaffUser) -> Client:
    client = Client()
    client.force_login(user)
    return client


def refs(client: Client, query: str = "", **headers: str) -> list[str]:
    """The references listed, in order, read from the table's row headers."""
    response = client.get(f"/console/{query}", headers=headers)
    assert response.status_code == 200, response.content
    rows = response.context["page"].rows
    html = response.content.decode()
    for row in rows:
        assert f'<a href="/console/cases/{row.case.reference}/">{row.case.reference}</a>' in html
    return [row.case.reference for row in rows]


def test_mine_lists_the_open_cases_assigned_to_me(
    mini_journey: JourneyVersion, customer: Customer, tech: StaffUser
) -> None:
    other = StaffFactory(username="other")
    mine = make_case(mini_journey, customer, "on_bench", reference="TP-00001", assignee=tech)
    make_case(mini_journey, customer, "on_bench", reference="TP-00002", assignee=other)
    make_case(mini_journey, customer, "on_bench", reference="TP-00003")
    make_case(mini_journey, customer, "done", reference="TP-00004", assignee=tech, outcome="success")
    assert refs(client_for(tech)) == [mine.reference]
    assert refs(client_for(tech), "?q=mine") == ["TP-00001"]


def test_my_teams_lists_cases_owned_by_any_of_my_teams(mini_journey: JourneyVersion, customer: Customer) -> None:
    both = StaffFactory(username="both", teams=["bench", "care"])
    old = now() - timedelta(days=2)
    make_case(mini_journey, customer, "on_bench", reference="TP-00001")
    make_case(mini_journey, customer, "running_late", reference="TP-00002", entered=old)
    make_case(mini_journey, customer, "awaiting_device", reference="TP-00003")  # the customer's move
    # exceptions come first, then the longest waiting
    assert refs(client_for(both), "?q=team") == ["TP-00002", "TP-00001"]
    bench_only = StaffFactory(username="benchonly", teams=["bench"])
    assert refs(client_for(bench_only), "?q=team") == ["TP-00001"]


def test_exceptions_are_the_cases_in_an_exception_state(
    mini_journey: JourneyVersion, customer: Customer, tech: StaffUser
) -> None:
    make_case(mini_journey, customer, "chasing_device", reference="TP-00001")
    make_case(mini_journey, customer, "lost_parcel", reference="TP-00002", entered=now() - timedelta(days=1))
    make_case(mini_journey, customer, "on_bench", reference="TP-00003")
    response = client_for(tech).get("/console/?q=exceptions")
    assert [r.case.reference for r in response.context["page"].rows] == ["TP-00002", "TP-00001"]
    assert all(r.exception for r in response.context["page"].rows)
    assert response.content.decode().count('<span class="badge">exception</span>') == 2


def test_handoffs_are_cases_with_an_open_handoff_task(
    mini_journey: JourneyVersion, customer: Customer, tech: StaffUser
) -> None:
    waiting = make_case(mini_journey, customer, "on_bench", reference="TP-00001")
    make_task(waiting, kind=TaskKind.HANDOFF)
    other = make_case(mini_journey, customer, "on_bench", reference="TP-00002")
    make_task(other, kind=TaskKind.CUSTOMER_MESSAGE)
    response = client_for(tech).get("/console/?q=handoffs")
    assert [r.case.reference for r in response.context["page"].rows] == ["TP-00001"]
    assert "handoff waiting" in response.content.decode()


def test_at_risk_is_a_wait_limit_due_soon_or_past_or_a_task_overdue(
    mini_journey: JourneyVersion, customer: Customer, tech: StaffUser
) -> None:
    soon = make_case(mini_journey, customer, "on_bench", reference="TP-00001")
    make_timer(soon, due_in=timedelta(hours=3))
    late = make_case(mini_journey, customer, "on_bench", reference="TP-00002")
    make_timer(late, due_in=timedelta(minutes=-10), purpose="accept")
    task_late = make_case(mini_journey, customer, "on_bench", reference="TP-00003")
    make_task(task_late, kind=TaskKind.CUSTOMER_MESSAGE, due_in=timedelta(minutes=-1))
    calm = make_case(mini_journey, customer, "on_bench", reference="TP-00004")
    make_timer(calm, due_in=timedelta(hours=5))
    response = client_for(tech).get("/console/?q=at_risk")
    rows = response.context["page"].rows
    # the soonest wait limit first (overdue at the top); a case with no timer after
    assert [r.case.reference for r in rows] == ["TP-00002", "TP-00001", "TP-00003"]
    assert [(r.at_risk, r.overdue) for r in rows] == [(True, True), (True, False), (True, True)]
    html = response.content.decode()
    assert html.count('<span class="badge">overdue</span>') == 2
    assert html.count('<span class="badge risk">at risk</span>') == 1


def test_all_lists_every_open_case_and_status_shows_ended_ones(
    mini_journey: JourneyVersion, customer: Customer, tech: StaffUser
) -> None:
    make_case(mini_journey, customer, "on_bench", reference="TP-00001")
    make_case(mini_journey, customer, "awaiting_device", reference="TP-00002", entered=now() - timedelta(days=1))
    make_case(mini_journey, customer, "done", reference="TP-00003", outcome="success")
    client = client_for(tech)
    assert refs(client, "?q=all") == ["TP-00002", "TP-00001"]
    assert refs(client, "?q=all&status=ended") == ["TP-00003"]
    assert sorted(refs(client, "?q=all&status=any")) == ["TP-00001", "TP-00002", "TP-00003"]


def test_search_by_reference_as_people_type_it_finds_it_even_when_ended(
    mini_journey: JourneyVersion, customer: Customer, tech: StaffUser
) -> None:
    make_case(mini_journey, customer, "done", reference="TP-4K7Q1", outcome="success")
    make_case(mini_journey, customer, "on_bench", reference="TP-4K7Q2")
    assert refs(client_for(tech), "?q=all&search=tp 4k7ql") == ["TP-4K7Q1"]  # l read as 1


def test_search_by_customer_name_email_and_tracking_number(mini_journey: JourneyVersion, tech: StaffUser) -> None:
    ada = CustomerFactory(name="Ada Lovelace", email="ada@example.org")
    bob = CustomerFactory(name="Bob Dylan", email="bob@example.com")
    a = make_case(mini_journey, ada, "on_bench", reference="TP-00001")
    b = make_case(mini_journey, bob, "shipped", reference="TP-00002")
    Shipment.objects.create(
        case=b, leg="return", carrier="royal-mail", tracking_number="RM123456789GB", created_at=now()
    )
    client = client_for(tech)
    assert refs(client, "?q=all&search=lovelace") == [a.reference]
    assert refs(client, "?q=all&search=BOB@EXAMPLE") == [b.reference]
    assert refs(client, "?q=all&search=rm123456789gb") == [b.reference]
    response = client.get("/console/?q=all&search=nobody-like-this")
    assert "No case, open or ended, in any queue matches “nobody-like-this”." in response.content.decode()


def test_a_search_typed_in_any_queue_finds_the_case_and_says_which_queues_it_sits_in(
    mini_journey: JourneyVersion, tech: StaffUser
) -> None:
    ada = CustomerFactory(name="Ada Lovelace", email="ada@example.org")
    mine = make_case(mini_journey, ada, "on_bench", reference="TP-00001", assignee=tech)
    lost = make_case(mini_journey, ada, "lost_parcel", reference="TP-00002", entered=now() - timedelta(days=1))
    make_task(lost, kind=TaskKind.HANDOFF)
    ended = make_case(mini_journey, ada, "done", reference="TP-00003", outcome="success")
    client = client_for(tech)
    # Typed in "Mine" (which holds only TP-00001), it still finds all three, ended ones too.
    response = client.get("/console/?q=mine&search=lovelace")
    assert [r.case.reference for r in response.context["page"].rows] == [
        lost.reference,
        mine.reference,
        ended.reference,
    ]
    html = response.content.decode()
    assert "<h1>Queues <small>search results from every queue</small></h1>" in html
    assert '<th scope="col">In your queues</th>' in html
    assert "<td>Exceptions, Handoffs to accept</td></tr>" in html  # care's case: not tech's team
    assert "<td>Mine, My team&#x27;s</td></tr>" in html
    assert '<td><span class="muted">in no queue: the case has ended</span></td></tr>' in html
    assert 'Home safe<br><span class="muted">mini-repair · ended well</span>' in html
    # The tabs open their queues without the search.
    assert '<a href="?q=team">My team&#x27;s</a>' in html


def test_filters_by_journey_state_team_and_assignee(
    mini_journey: JourneyVersion, customer: Customer, tech: StaffUser
) -> None:
    make_case(mini_journey, customer, "on_bench", reference="TP-00001", assignee=tech)
    make_case(mini_journey, customer, "on_bench", reference="TP-00002")
    make_case(mini_journey, customer, "running_late", reference="TP-00003")
    client = client_for(tech)
    assert refs(client, "?q=all&state=on_bench&assignee=-") == ["TP-00002"]
    assert refs(client, "?q=all&assignee=tech") == ["TP-00001"]
    assert refs(client, "?q=all&team=care") == ["TP-00003"]
    assert sorted(refs(client, "?q=all&journey=mini-repair")) == ["TP-00001", "TP-00002", "TP-00003"]
    assert refs(client, "?q=all&journey=no-such-journey") == []


def test_pages_of_fifty_without_counting_the_whole_queue(
    mini_journey: JourneyVersion, customer: Customer, tech: StaffUser
) -> None:
    start = now() - timedelta(days=10)
    for n in range(51):
        make_case(mini_journey, customer, "on_bench", reference=f"TP-{n:05d}", entered=start + timedelta(minutes=n))
    client = client_for(tech)
    first = client.get("/console/?q=all")
    assert len(first.context["page"].rows) == 50
    assert '<a href="?q=all&amp;page=2" rel="next">Next 50</a>' in first.content.decode()
    assert refs(client, "?q=all&page=2") == ["TP-00050"]
    second = client.get("/console/?q=all&page=2").content.decode()
    assert '<a href="?q=all" rel="prev">Previous 50</a>' in second
    assert "Next 50" not in second


def test_the_live_refresh_gets_the_table_only(
    mini_journey: JourneyVersion, customer: Customer, tech: StaffUser
) -> None:
    make_case(mini_journey, customer, "on_bench", reference="TP-00001")
    client = client_for(tech)
    page = client.get("/console/?q=all").content.decode()
    assert 'hx-get="?q=all" hx-trigger="every 15s"' in page
    assert "X-Touchpoint-Background" in page
    partial = client.get("/console/?q=all", headers={"HX-Request": "true", "X-Touchpoint-Background": "1"})
    html = partial.content.decode()
    assert "TP-00001" in html
    assert "<html" not in html and "<form" not in html
    assert "HX-Request" in partial["Vary"]


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("?q=nonsense", "q", "Select a valid choice. nonsense is not one of the available choices."),
        ("?q=all&status=sideways", "status", "Select a valid choice. sideways is not one of the available choices."),
        ("?q=all&page=zero", "page", "Enter a whole number."),
        ("?q=all&search=" + "x" * 101, "search", "Ensure this value has at most 100 characters (it has 101)."),
    ],
)
def test_bad_input_is_answered_beside_the_field_not_with_an_error_page(
    mini_journey: JourneyVersion, customer: Customer, tech: StaffUser, query: str, field: str, message: str
) -> None:
    make_case(mini_journey, customer, "on_bench", reference="TP-00001")
    response = client_for(tech).get(f"/console/{query}")
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]


def test_an_unknown_queue_says_so_and_shows_mine(
    mini_journey: JourneyVersion, customer: Customer, tech: StaffUser
) -> None:
    make_case(mini_journey, customer, "on_bench", reference="TP-00001", assignee=tech)
    response = client_for(tech).get("/console/?q=nonsense")
    assert "That queue doesn't exist; showing yours." in response.content.decode()
    assert [r.case.reference for r in response.context["page"].rows] == ["TP-00001"]


def test_a_row_shows_customer_state_owner_assignee_and_next_limit(
    mini_journey: JourneyVersion, customer: Customer, tech: StaffUser
) -> None:
    case = make_case(mini_journey, customer, "on_bench", reference="TP-00001", assignee=tech)
    make_timer(case, due_in=timedelta(days=2))
    html = client_for(tech).get("/console/?q=all").content.decode()
    assert "Ian Kearns" in html and "ian@example.com" in html
    assert "On the bench" in html
    assert "<td>Bench</td>" in html  # the owning team by its name, never `team:bench`
    assert "team:bench" not in html
    assert "<td>tech</td>" in html
    assert Case.objects.get(reference="TP-00001").outcome == ""


def test_what_customers_typed_is_escaped_in_the_rows_and_filters(mini_journey: JourneyVersion, tech: StaffUser) -> None:
    sly = CustomerFactory(name='<script>alert("x")</script>', email="a&b@example.com")
    make_case(mini_journey, sly, "on_bench", reference="TP-00001")
    html = client_for(tech).get("/console/?q=all&search=<b>").content.decode()
    assert "<script>alert" not in html
    html = client_for(tech).get("/console/?q=all").content.decode()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "a&amp;b@example.com" in html
