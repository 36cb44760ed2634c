"""Query counts pinned on the queue pages with 10,000 cases in the database (bulk-inserted, a few
seconds): each queue costs the same handful of queries whatever the number of cases."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from tests.support.factories import CustomerFactory, StaffFactory
from touchpoint.cases.models import Case, JourneyVersion, Task, TaskKind, Timer
from touchpoint.core.clock import now
from touchpoint.core.ids import ALPHABET
from touchpoint.staff.models import StaffUser

pytestmark = pytest.mark.django_db
STATES = ["on_bench", "running_late", "chasing_device", "lost_parcel", "awaiting_device", "shipped"]
OWNERS = {"on_bench": "team:bench", "running_late": "team:care", "chasing_device": "team:care",
          "lost_parcel": "team:care", "awaiting_device": "customer", "shipped": "carrier"}  # fmt: skip


def reference(n: int) -> str:
    digits = []
    for _ in range(5):
        n, d = divmod(n, len(ALPHABET))
        digits.append(ALPHABET[d])
    return "TP-" + "".join(reversed(digits))


@pytest.fixture
def ten_thousand_cases(mini_journey: JourneyVersion) -> StaffUser:
    """10,000 open cases over 100 customers, every 7th assigned to the returned agent, with a
    pending timer each and a handoff task on every 10th."""
    agent = StaffFactory(username="agent", teams=["bench", "care"])
    customers = [CustomerFactory() for _ in range(100)]
    start = now() - timedelta(days=30)
    cases = []
    for n in range(10_000):
        state = STATES[n % len(STATES)]
        at = start + timedelta(minutes=n)
        cases.append(
            Case(reference=reference(n), journey=mini_journey, customer=customers[n % 100], state=state,
                 owner=OWNERS[state], opened_at=at, state_entered_at=at, updated_at=at,
                 assignee=agent if n % 7 == 0 else None)
        )  # fmt: skip
    Case.objects.bulk_create(cases, batch_size=2000)
    ids = list(Case.objects.values_list("pk", flat=True))
    Timer.objects.bulk_create(
        [Timer(case_id=pk, purpose="wait", event="x", state="s", state_seq=1,
               due_at=now() + timedelta(hours=(i % 48) - 2), created_at=now()) for i, pk in enumerate(ids)],
        batch_size=2000,
    )  # fmt: skip
    Task.objects.bulk_create(
        [Task(case_id=pk, kind=TaskKind.HANDOFF, owner="team:bench", title="accept", created_at=now())
         for pk in ids[::10]],
        batch_size=2000,
    )  # fmt: skip
    assert Case.objects.count() == 10_000
    return agent


# session, user, journey versions, cases (their timers' and tasks' badges as subqueries), the teams
# (owners by name; the filters' choices too); the full page adds the staff for the filters and the
# user's teams (read once: the team queue and the "New walk-in" button, which an agent sees only in the
# counter team, share it).
EXPECTED = {"mine": 7, "team": 7, "exceptions": 7, "handoffs": 7, "at_risk": 7, "all": 7}


def test_every_queue_page_costs_the_same_queries_with_ten_thousand_cases(
    ten_thousand_cases: StaffUser, django_assert_num_queries: Any
) -> None:
    # one test for every queue: building 10,000 cases once keeps this a few seconds
    client = Client()
    client.force_login(ten_thousand_cases)
    client.get("/console/?q=all")  # warm this process's journey parse cache (a cold one reads each version once)
    for queue, expected in EXPECTED.items():
        with django_assert_num_queries(expected):
            response = client.get(f"/console/?q={queue}")
        assert response.status_code == 200
        assert (queue, len(response.context["page"].rows), response.context["page"].has_next) == (queue, 50, True)
    with django_assert_num_queries(5):  # the live refresh: no staff for the filters
        partial = client.get("/console/?q=all&page=3", headers={"HX-Request": "true"})
    assert len(partial.context["page"].rows) == 50
    # A search looks in every queue: typed in "mine", it finds a case assigned to nobody. The user's
    # teams are read to say which queues it sits in.
    with django_assert_num_queries(7):
        found = client.get("/console/?q=mine&search=" + reference(4321))
    assert [(r.case.reference, r.queues) for r in found.context["page"].rows] == [
        (reference(4321), ("team", "exceptions", "all"))  # running late: care's, an exception
    ]
