"""Who a link lets in: a token opens its own case and no other; everything else (a guess, a
reference, a revoked or expired link) gets the friendly page with a way to a fresh link. And the
"email me a new link" form answers the same whoever asks."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from tests.portal.story import repair_order
from touchpoint.cases.models import Case
from touchpoint.core.clock import at, now
from touchpoint.core.ratelimit import ratelimit_hit
from touchpoint.customers.models import Customer
from touchpoint.links.models import LinkRequest
from touchpoint.links.services import link_issue, link_revoke
from touchpoint.outbox.models import OutboxMessage
from touchpoint.portal.views.links import CLIENT_LIMIT
from touchpoint.worker.loop import Worker

NEW_LINK_FORM = '<form method="post" action="/link/">'


@pytest.fixture
def two_cases(db: Any) -> tuple[Case, Case]:
    """Two customers' repairs, each ordered on the order page."""
    mine = repair_order(name="Ian Kearns", email="ian@example.com").case
    theirs = repair_order(name="Maya Okafor", email="maya@example.com").case
    return mine, theirs


def test_a_token_opens_its_own_case_and_no_other(client: Client, two_cases: tuple[Case, Case]) -> None:
    mine, theirs = two_cases
    token = link_issue(case=mine)

    response = client.get(f"/c/{token}/")

    html = response.content.decode()
    assert response.status_code == 200
    assert mine.reference in html and theirs.reference not in html
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize("guess", ["TP-ABCDE", "1", "x" * 43, "A" * 43, "abc-_" * 8 + "abc"])
def test_guessing_references_or_tokens_gets_the_friendly_404(
    client: Client, two_cases: tuple[Case, Case], guess: str
) -> None:
    mine, _ = two_cases
    link_issue(case=mine)

    response = client.get(f"/c/{guess}/")

    html = response.content.decode()
    assert response.status_code == 404
    assert "We couldn't find that page" in html and NEW_LINK_FORM in html
    assert mine.reference not in html


def test_the_real_reference_in_the_url_gets_nowhere_either(client: Client, two_cases: tuple[Case, Case]) -> None:
    mine, _ = two_cases

    response = client.get(f"/c/{mine.reference}/")

    assert response.status_code == 404
    assert mine.reference not in response.content.decode()


def test_a_revoked_link_gets_the_friendly_410(client: Client, two_cases: tuple[Case, Case]) -> None:
    mine, _ = two_cases
    token = link_issue(case=mine)
    link_revoke(case=mine, reason="forwarded")

    response = client.get(f"/c/{token}/")

    html = response.content.decode()
    assert response.status_code == 410
    assert "This link no longer works" in html and NEW_LINK_FORM in html
    assert mine.reference not in html


def test_an_expired_link_gets_the_friendly_410(client: Client, two_cases: tuple[Case, Case], settings: Any) -> None:
    mine, _ = two_cases
    with at(now() - timedelta(days=settings.TOUCHPOINT_LINK_DAYS + 1)):
        token = link_issue(case=mine)

    response = client.get(f"/c/{token}/")

    assert response.status_code == 410
    assert "This link has expired" in response.content.decode()


def test_the_new_link_page_has_a_labelled_email_field(client: Client, db: Any) -> None:
    response = client.get("/link/")

    html = response.content.decode()
    assert response.status_code == 200
    assert '<label for="id_email">Your email address</label>' in html
    assert 'name="csrfmiddlewaretoken"' in html


def test_known_and_unknown_addresses_get_the_same_answer(client: Client, two_cases: tuple[Case, Case]) -> None:
    known = client.post("/link/", {"email": "ian@example.com"})
    unknown = client.post("/link/", {"email": "stranger@example.com"})
    Worker(worker_id="w1").run(until_idle=True)  # the worker answers (tests/links/test_link_requests.py)

    assert (known.status_code, unknown.status_code) == (200, 200)
    assert known.content == unknown.content
    assert "If that address has a repair with us, a fresh link is on its way" in known.content.decode()
    sent = OutboxMessage.objects.filter(touchpoint="")
    assert list(sent.values_list("recipient", flat=True)) == ["ian@example.com"]


def test_a_bad_address_is_explained_beside_the_field_and_kept(client: Client, db: Any) -> None:
    response = client.post("/link/", {"email": "ian@"})

    html = response.content.decode()
    assert response.status_code == 422
    assert '<p class="error" id="err-email">Enter an email address like name@example.com.</p>' in html
    assert 'value="ian@"' in html and 'aria-invalid="true"' in html
    assert OutboxMessage.objects.count() == 0


def test_one_client_asking_too_often_gets_a_readable_429_that_keeps_the_address(
    client: Client, two_cases: tuple[Case, Case]
) -> None:
    for _ in range(CLIENT_LIMIT.count):
        assert ratelimit_hit(scope="portal.links.client", key="127.0.0.1", limit=CLIENT_LIMIT)

    response = client.post("/link/", {"email": "ian@example.com"})

    html = response.content.decode()
    assert response.status_code == 429
    assert "Please try again in a few minutes" in html and 'value="ian@example.com"' in html
    assert LinkRequest.objects.count() == 0  # refused before anything is queued


def test_the_case_page_link_in_the_email_opens_that_case(client: Client, two_cases: tuple[Case, Case]) -> None:
    mine, _ = two_cases
    client.post("/link/", {"email": "ian@example.com"})
    Worker(worker_id="w1").run(until_idle=True)
    message = OutboxMessage.objects.get(touchpoint="")
    url = next(line for line in message.body_text.splitlines() if line.startswith("http"))

    response = client.get(url.split("8000", 1)[-1])

    assert response.status_code == 200
    assert mine.reference in response.content.decode()


def test_customers_are_not_created_by_asking(client: Client, db: Any) -> None:
    client.post("/link/", {"email": "new@example.com"})
    Worker(worker_id="w1").run(until_idle=True)
    assert Customer.objects.count() == 0


@pytest.mark.django_db
def test_a_run_of_wrong_links_from_one_client_is_slowed_down(client: Any) -> None:
    from touchpoint.portal.access import MISSES

    statuses = [client.get(f"/c/{'x' * 43}/").status_code for _ in range(MISSES.count + 2)]
    assert statuses[: MISSES.count] == [404] * MISSES.count
    assert statuses[MISSES.count :] == [429, 429]
    page = client.get(f"/c/{'y' * 43}/")
    assert "Email me a new link" in page.content.decode()  # still the friendly page, with the way back
