"""Every customer page costs an exact number of queries, on cases made through the product, and the
number doesn't grow with a case's story or the shop's history: the same page of a case with three
times the timeline, the messages and the finished cases before it costs the same."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.test import Client
from pytest_django import DjangoAssertNumQueries

from tests.portal.history import past_case, worker_works_out_eta
from tests.portal.story import Customer, diagnosed, repair_at
from tests.quotes.repair import crew, repair_case
from tests.support.factories import CustomerFactory, StaffFactory
from tests.support.timers import messages_go_out
from touchpoint.cases.models import TimelineEntry
from touchpoint.cases.services.notes import case_note_add
from touchpoint.core.clock import at
from touchpoint.feedback.services import feedback_give, wall_sync
from touchpoint.outbox.models import MessageStatus, OutboxMessage
from touchpoint.portal.views.messages import new_nonce
from touchpoint.quotes.models import Quote
from touchpoint.staff.models import Role
from touchpoint.wall.models import WallItem
from touchpoint.wall.services import wall_item_publish

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

# A customer who ordered on the order page has no session (drawing a form keeps its key in a cookie,
# portal/drafts.py): no session to read. One whose form once came back refused has one, and pays one query.
SESSION = 0
# A page reached by a magic link reads the link with its case, journey and customer (one query, joined).
LINK = 1
# The case page: the case's moves (its steps, also the ETA's time in state), the stored ETA figure,
# the messages sent (its timeline); the panels: payments and refunds (pay), quotes (approvals),
# the parcels with their carriers' events (tracking), feedback, the open request for a person, the
# customer's mail and our messages (messages); and the persona as the shop saved it (its face and name).
CASE_PAGE = SESSION + LINK + 3 + 2 + 1 + 1 + 1 + 1 + 2 + 1
# Once the customer has written to us, the messages panel reads their mail's photos too (one query).
PHOTOS = 1


def longer_story(customer: Customer, times: int) -> None:
    """The case's story grows while it waits: the customer writes on their page, the team adds notes
    on the console, and the worker sends every message that is due (this case's and the shop's)."""
    for n in range(times):
        sent = customer.client.post(f"{customer.url}messages/", {"text": f"Any news? ({n})", "nonce": new_nonce()})
        assert sent.status_code in (302, 303), sent.status_code
        case_note_add(case=customer.case, author=crew(), text=f"Called back ({n})")
    messages_go_out(OutboxMessage.objects.filter(status=MessageStatus.PENDING))


def a_shop_with_history(cases: int) -> None:
    """``cases`` repairs finished before, and the worker's pass that works the ETA out from them."""
    for n in range(cases):
        past_case(T0 + timedelta(hours=n), 2 + n % 4)
    worker_works_out_eta()


def count_of(client: Client, url: str, queries: DjangoAssertNumQueries, n: int) -> None:
    client.get(url)  # a first visit records what a first visit records (the link's first use, a session)
    with queries(n):
        response = client.get(url)
    assert response.status_code == 200, response.status_code


@pytest.mark.parametrize("longer", [False, True], ids=["short-story", "three-times-the-story"])
def test_the_case_page(longer: bool, django_assert_num_queries: DjangoAssertNumQueries) -> None:
    # Given a shop with 10 finished repairs, or three times as many, and a case on its way to us
    a_shop_with_history(30 if longer else 10)
    customer = repair_at("box_in_post")
    before = TimelineEntry.objects.filter(case=customer.case).count()
    # with a short story (one message each way), or three times the story
    longer_story(customer, 6 if longer else 1)
    if longer:
        assert TimelineEntry.objects.filter(case=customer.case).count() >= 3 * before
    # Then its page costs the same
    count_of(customer.client, customer.url, django_assert_num_queries, CASE_PAGE + PHOTOS)


def test_the_case_page_with_the_eta_from_history(django_assert_num_queries: DjangoAssertNumQueries) -> None:
    a_shop_with_history(10)
    customer = repair_at("in_surgery")
    html = customer.page()
    assert "Of our last 10 cases at this step" in html
    count_of(customer.client, customer.url, django_assert_num_queries, CASE_PAGE)


def test_the_case_page_asking_for_approval(django_assert_num_queries: DjangoAssertNumQueries) -> None:
    customer = repair_at("in_surgery")
    diagnosed(customer, extra=Decimal("40.00"))
    # The approvals panel reads the open quote's lines too (one query)
    count_of(customer.client, customer.url, django_assert_num_queries, CASE_PAGE + 1)


def test_the_approval_confirmation(django_assert_num_queries: DjangoAssertNumQueries) -> None:
    customer = repair_at("in_surgery")
    case = diagnosed(customer, extra=Decimal("40.00"))
    quote = Quote.objects.get(case=case)
    url = f"{customer.url}extra-work/confirm/?decision=approve&quote={quote.pk}&version={case.version}"
    # the quote, and its lines
    count_of(customer.client, url, django_assert_num_queries, SESSION + LINK + 2)


def test_the_label_the_pay_status_and_asking_for_a_person(django_assert_num_queries: DjangoAssertNumQueries) -> None:
    customer = repair_at("box_in_post")
    count_of(customer.client, f"{customer.url}label.pdf", django_assert_num_queries, SESSION + LINK)
    count_of(customer.client, f"{customer.url}pay/status", django_assert_num_queries, SESSION + LINK)
    # the open request for a person, if any
    count_of(customer.client, f"{customer.url}person/", django_assert_num_queries, SESSION + LINK + 1)


def test_the_forms_anyone_may_open(client: Client, django_assert_num_queries: DjangoAssertNumQueries) -> None:
    repair_at("awaiting_payment", client)  # the shop has its catalogue; this visitor ordered, and has no session
    # the device models offered, the problems to choose from and the shop's service levels
    count_of(client, "/repair/", django_assert_num_queries, SESSION + 3)
    count_of(client, "/report/", django_assert_num_queries, SESSION)
    count_of(client, "/link/", django_assert_num_queries, SESSION)


@pytest.mark.parametrize("published", [2, 6])
def test_the_wall(published: int, client: Client, django_assert_num_queries: DjangoAssertNumQueries) -> None:
    # Given compliments and complaints left on customers' pages with consent, approved by a lead
    lead = StaffFactory(username="priya", role=Role.LEAD)
    for n in range(published):
        with at(T0 + timedelta(hours=n)):
            case = repair_case(CustomerFactory(name=f"Ian Kearns {n}"), "feedback_asked")
            feedback_give(
                case=case, version=case.version, csat=5 if n % 2 else 1, comment=f"Words {n}",
                consent_publish=True, display_name="Ian", town="Leeds",
            )  # fmt: skip
    wall_sync()
    for item in WallItem.objects.all():
        wall_item_publish(item=item, user=lead)
    client.get("/repair/")  # a visitor with a session
    # A first visit reads the wall's mark, then each column's count and page of items and the honest
    # counts (feedback, and the wall's own) to draw it; the next reads the mark only (two statements:
    # the items', the feedbacks') and shows the page kept under it (tests/wall/test_wall_kept.py).
    with django_assert_num_queries(SESSION + 2 + 2 + 2 + 2):
        assert client.get("/reviews?page=1").status_code == 200
    count_of(client, "/reviews", django_assert_num_queries, SESSION + 2)
