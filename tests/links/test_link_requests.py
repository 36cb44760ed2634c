""" "Email me a new link" (``/link/``), through the page, the worker and a real SMTP server on
loopback (issue 13, item 6). The page does the same work and gives the same answer whoever's
address it is, and sends nothing itself: the worker does. Someone asking for a customer's link
again and again can't keep that customer from getting their own."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.test import Client, override_settings

from tests.portal.story import repair_order
from tests.support.smtp import SinkHandler, smtp_mailers, smtp_sink
from touchpoint.cases.models import Case
from touchpoint.core.clock import at, now
from touchpoint.links.services import link_resolve
from touchpoint.outbox.models import OutboxMessage
from touchpoint.worker.loop import Worker

pytestmark = pytest.mark.django_db

STRANGER = "203.0.113.9"
OWNER = "198.51.100.7"


@pytest.fixture
def sink() -> Iterator[SinkHandler]:
    with smtp_sink() as (handler, port), override_settings(MAILERS=smtp_mailers(port)):
        yield handler


@pytest.fixture
def ians_case(db: Any) -> Case:
    case = repair_order(name="Ian Kearns", email="ian@example.com").case
    Worker(worker_id="w0").run(until_idle=True)  # the order's own messages are out of the way
    return case


def link_mails(sink: SinkHandler) -> list[Any]:
    return [r.message for r in sink.received if "fresh link" in r.message.get_body(("plain",)).get_content()]


def ask(email: str, *, client_address: str = OWNER) -> Any:
    return Client(REMOTE_ADDR=client_address).post("/link/", {"email": email})


def headers_of(response: Any) -> dict[str, str]:
    """Every header but the cookies (the CSRF cookie is new on every request)."""
    return {name: value for name, value in response.headers.items() if name.lower() != "set-cookie"}


def test_known_and_unknown_addresses_get_the_same_answer_and_the_page_sends_nothing(
    ians_case: Case, sink: SinkHandler
) -> None:
    known = ask("ian@example.com")
    unknown = ask("stranger@example.com")

    assert OutboxMessage.objects.filter(touchpoint="").count() == 0  # nothing written for the mail yet
    assert (known.status_code, known.content, headers_of(known)) == (
        unknown.status_code,
        unknown.content,
        headers_of(unknown),
    )
    assert known.status_code == 200
    assert "If that address has a repair with us, a fresh link is on its way" in known.content.decode()
    assert link_mails(sink) == []

    Worker(worker_id="w1").run(until_idle=True)

    [mail] = link_mails(sink)
    assert mail["To"] == "ian@example.com"
    body = mail.get_body(("plain",)).get_content()
    token = re.search(r"/c/([A-Za-z0-9_-]{43})/", body)
    assert token is not None
    assert link_resolve(token.group(1)).link.case == ians_case  # type: ignore[union-attr]
    assert OutboxMessage.objects.filter(touchpoint="").count() == 1  # and nothing for the unknown address


def top_of_next_hour() -> datetime:
    """A fixed moment, one minute into an hour, so no clock-aligned window ends mid-test."""
    return now().replace(minute=1, second=0, microsecond=0) + timedelta(hours=1)


def test_a_stranger_asking_for_a_customers_link_doesnt_silence_the_customer(ians_case: Case, sink: SinkHandler) -> None:
    start = top_of_next_hour()
    with at(start):
        for _ in range(3):
            assert ask("ian@example.com", client_address=STRANGER).status_code == 200
        Worker(worker_id="w1").run(until_idle=True)
    assert len(link_mails(sink)) == 1  # three asks in a few minutes: one email, to the customer

    with at(start + timedelta(minutes=20)):
        assert ask("ian@example.com", client_address=OWNER).status_code == 200
        Worker(worker_id="w1").run(until_idle=True)

    assert len(link_mails(sink)) == 2  # the customer's own request, later in the hour, is answered


def test_many_strangers_asking_send_at_most_one_email_in_a_quarter_hour(ians_case: Case, sink: SinkHandler) -> None:
    start = top_of_next_hour()
    for n in range(6):
        with at(start + timedelta(minutes=2 * n)):
            ask("ian@example.com", client_address=f"203.0.113.{n}")
            Worker(worker_id="w1").run(until_idle=True)

    [mail] = link_mails(sink)
    # The customer asking now gets nothing new, but the email they have holds a working link.
    with at(start + timedelta(minutes=14)):
        ask("ian@example.com", client_address=OWNER)
        Worker(worker_id="w1").run(until_idle=True)
    assert len(link_mails(sink)) == 1
    token = re.search(r"/c/([A-Za-z0-9_-]{43})/", mail.get_body(("plain",)).get_content())
    assert token is not None and link_resolve(token.group(1)).link is not None


def test_the_queue_holds_nothing_once_the_worker_has_been(ians_case: Case, sink: SinkHandler) -> None:
    from touchpoint.links.models import LinkRequest

    ask("ian@example.com")
    ask("nobody@example.com")
    assert LinkRequest.objects.count() == 2

    Worker(worker_id="w1").run(until_idle=True)

    assert LinkRequest.objects.count() == 0
