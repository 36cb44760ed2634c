"""What placing an order through the order form costs the database: an exact number of statements,
the same however many orders the shop has taken."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.portal.test_intake_service import shop  # noqa: F401 - the fixture
from tests.portal.test_intake_views import GOOD, URL, start
from touchpoint.cases.models import Case
from touchpoint.outbox.models import OutboxMessage

pytestmark = pytest.mark.usefixtures("shop")

# One order from a new visitor (no session), in the order the statements run:
#   the form's choices: the chosen device model, the problems (2)
#   one transaction for the rest (1: a savepoint inside the test's transaction; in production BEGIN,
#     not counted), so the order commits once, with its count against the limit and its page's link:
#   the order rate limit: one upsert of its window (1)
#   order_place (the catalog as the form read it: no second look): its savepoint (1); the customer: SELECT,
#     then savepoint, INSERT, release (4)
#   case_open: the journey's newest version is the process's kept copy (none); its attempt's savepoint (1);
#     the case INSERT (1); the opening timeline entry (1: its number is 1, not looked up; a used nonce is
#     found by its unique index here, with no SELECT first); the wait timer (1)
#   the touch point's message, for a case this transaction opened (so no look for tasks, money, links or
#     earlier messages that can't exist yet; the shop's own templates and persona are the process's kept
#     copy, as the shop's settings are: none); the emailed link's INSERT (1); the device's name (1); the
#     message INSERT (1) (the state's timers, just written, are passed along, not read back)
#   case_open's and order_place's savepoints released (2)
#   the page the customer lands on: the form's link, INSERT (1: the case is new, no link to look for)
#   the transaction's savepoint released (1: in production its COMMIT)
# Nothing else: no session row (a placed order keeps no draft) and no count of new sessions.
ORDER_QUERIES = 20


def order(client: Client, n: int) -> Any:
    nonce = start(client)
    return client.post(URL, {**GOOD, "email": f"customer{n}@example.com", "name": f"Customer {n}", "nonce": nonce})


def place_orders(count: int) -> None:
    for n in range(count):
        response = order(Client(REMOTE_ADDR=f"10.0.{n // 200}.{n % 200 + 1}"), n)
        assert response.status_code == 303


def one_more_order(django_assert_num_queries: Any) -> None:
    client = Client(REMOTE_ADDR="192.0.2.77")
    nonce = start(client)
    client.cookies.clear()  # as the harness sends it: a POST from a visitor without a session
    with django_assert_num_queries(ORDER_QUERIES) as done:
        response = client.post(URL, {**GOOD, "email": "new@example.com", "name": "New Customer", "nonce": nonce})
    assert response.status_code == 303
    # and none of them finds a row by a match no index serves (the customer by email: a LIKE on SQLite,
    # UPPER() on PostgreSQL, would read every customer, and orders would slow as the shop grows)
    assert [q["sql"] for q in done.captured_queries if "LIKE" in q["sql"] or "UPPER(" in q["sql"]] == []
    case = Case.objects.get(customer__email="new@example.com")
    assert response["Location"].startswith("/c/")
    assert OutboxMessage.objects.filter(case=case, touchpoint="order_received").count() == 1


@pytest.mark.parametrize("earlier", [3, 30])
def test_an_order_costs_the_same_statements_however_many_orders_came_before(
    earlier: int, django_assert_num_queries: Any
) -> None:
    # Given a shop that has taken `earlier` orders through the form
    place_orders(earlier)
    assert Case.objects.count() == earlier

    # When a new visitor places one more, then it takes exactly ORDER_QUERIES statements
    one_more_order(django_assert_num_queries)
