"""The case page by magic link: the step in plain words, what happens next, the persona, the ETA,
the panels and the customer's timeline."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse

from tests.portal.history import past_case, worker_works_out_eta
from tests.quotes.repair import crew, repair_case
from touchpoint.cases.actors import staff_actor
from touchpoint.cases.models import Case, TaskKind, TimelineKind
from touchpoint.cases.services.tasks import task_open
from touchpoint.cases.services.timeline import timeline_append
from touchpoint.core.clock import at, now
from touchpoint.customers.models import Customer
from touchpoint.links.services import link_issue, link_revoke
from touchpoint.outbox.models import MessageStatus, OutboxMessage

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def page_of(client: Client, case: Case) -> tuple[int, str]:
    response = client.get(reverse("portal:case", args=[link_issue(case=case)]))
    return response.status_code, response.content.decode()


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def test_the_page_says_where_the_repair_is_and_what_happens_next(client: Client, customer: Customer) -> None:
    with at(T0):
        case = repair_case(customer, "resting")
    OutboxMessage.objects.filter(case=case).update(status=MessageStatus.SENT, sent_at=T0)
    with at(T0 + timedelta(hours=2)):
        status, html = page_of(client, case)
    assert status == 200
    assert "<h1>Resting before surgery</h1>" in html
    words = text_of(html)
    assert "What happens next" in words
    assert "Your device is resting to get its strength up before the surgery tomorrow." in words
    assert "— Norm, your repair coordinator at the Repair Shop" in words
    # Thin history: the journey's assumptions, labelled as a rough guess
    assert "How long it should take" in words
    # From resting, the route guess is 14h+40h = 54h at the median and 22h+110h = 132h at p90, less 2h here
    assert "We've only done a few of these, so this is a rough guess. Usually 3 to 6 more days." in words
    # The customer's timeline: steps and the subjects of the messages we sent
    assert "What has happened so far" in words
    assert "Your order is in – let's get your Nano (4th gen) better" in words
    assert words.index("Resting before surgery", words.index("What has happened")) < words.index(
        "Waiting for your payment", words.index("What has happened")
    )
    assert case.reference in words


def test_internal_notes_tasks_and_staff_names_never_show(client: Client, customer: Customer) -> None:
    case = repair_case(customer, "resting")
    timeline_append(
        case=case, kind=TimelineKind.NOTE, actor=staff_actor(crew()), summary="Customer sounded cross", at=now()
    )
    task_open(kind=TaskKind.EXCEPTION, owner="team:care", title="Check the refund policy", case=case)
    OutboxMessage.objects.filter(case=case).update(status=MessageStatus.SENT, sent_at=now())
    status, html = page_of(client, case)
    assert status == 200
    for internal in ("Customer sounded cross", "Check the refund policy", "crew", "surgery_started", "team:"):
        assert internal not in html


def test_a_revoked_link_shows_no_case(client: Client, customer: Customer) -> None:
    case = repair_case(customer, "resting")
    token = link_issue(case=case)
    link_revoke(case=case, reason="forwarded email")
    response = client.get(reverse("portal:case", args=[token]))
    assert response.status_code == 410
    assert case.reference not in response.content.decode()


def test_an_ended_case_shows_no_estimate(client: Client, customer: Customer) -> None:
    case = repair_case(customer, "feedback_asked")
    status, html = page_of(client, case)
    assert status == 200
    assert "<h1>Back home</h1>" in html
    assert "How long it should take" not in html
    assert "How did we do?" in html


def test_the_page_is_strict_about_scripts_and_styles(client: Client, customer: Customer) -> None:
    case = repair_case(customer, "resting")
    response = client.get(reverse("portal:case", args=[link_issue(case=case)]))
    html = response.content.decode()
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert (response.headers["Cache-Control"], response.headers["Referrer-Policy"]) == (
        "private, no-store",
        "same-origin",
    )
    assert "style=" not in html
    assert re.search(r"<script(?![^>]*\bsrc=)", html) is None  # no inline script
    assert re.search(r"\son[a-z]+=", html) is None


def test_the_page_tells_the_range_the_worker_worked_out_and_follows_newly_finished_cases(
    client: Client, customer: Customer
) -> None:
    # Given ten repairs home 2 to 5 days after surgery, and the worker's pass over them
    for n in range(10):
        past_case(T0 + timedelta(hours=n), 2 + n % 4)
    worker_works_out_eta()
    with at(T0 + timedelta(days=30)):
        case = repair_case(customer, "in_surgery")
    # When the customer opens their page half a day into surgery
    # (sorted 2 2 2 3 3 3 4 4 5 5: p50 = 5th = 3 days, p90 = 9th = 5 days; less half a day)
    with at(T0 + timedelta(days=30, hours=12)):
        _, html = page_of(client, case)
    assert "Usually 3 to 5 more days. Of our last 10 cases at this step, 9 in 10 were done within 5 days" in text_of(
        html
    )
    # When two more repairs come home after 9 days each, the page says so once the worker has run
    past_case(T0 + timedelta(days=10), 9)
    past_case(T0 + timedelta(days=11), 9)
    with at(T0 + timedelta(days=30, hours=12)):
        _, html = page_of(client, case)
    assert "Of our last 10 cases" in text_of(html)
    worker_works_out_eta()
    # (2 2 2 3 3 3 4 4 5 5 9 9: p50 = 6th = 3 days, p90 = 11th = 9 days)
    with at(T0 + timedelta(days=30, hours=12)):
        _, html = page_of(client, case)
    assert "Usually 3 to 9 more days. Of our last 12 cases at this step, 9 in 10 were done within 9 days" in text_of(
        html
    )
