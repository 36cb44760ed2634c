"""Every "by …" a customer reads is the due time of the task that holds the team to it, said in the
shop's clock (Europe/London here): on the page, in the email, across midnight and a change of the
clocks. The expected words are written out by hand, not by the helper under test."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse

from tests.support.factories import StaffFactory
from tests.support.pages import Page, path_of
from touchpoint.cases.models import Case, Task, TaskKind, TimelineEntry
from touchpoint.core.clock import at
from touchpoint.links.services import link_token
from touchpoint.outbox.models import OutboxMessage
from touchpoint.remedies.models import RemedyRequest

pytestmark = pytest.mark.django_db


def text(html: str) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip())


def ask_for_a_person(client: Client, case: Case, moment: datetime) -> tuple[str, str]:
    """At ``moment`` the customer opens "Talk to a person" and sends the form, asking for a call.
    What the page said before asking, and what it says after."""
    url = f"/c/{link_token(case=case)}/person/"
    with at(moment):
        before = client.get(url).content.decode()
        form = next(f for f in Page.parse(before, url=f"http://testserver{url}").forms if f.method == "post")
        _, address, data = form.submission(fill={"reach_by": "phone", "phone": "07700 900123"})
        sent = client.post(path_of(address), data)
        assert sent.status_code == 302
        after = client.get(sent["Location"]).content.decode()
    return text(before), text(after)


@pytest.mark.parametrize(
    ("moment", "due", "said"),
    [
        # Monday 23 November, London on GMT: four hours on is the same afternoon
        (datetime(2026, 11, 23, 10, 0, tzinfo=UTC), datetime(2026, 11, 23, 14, 0, tzinfo=UTC), "14:00 today"),
        # Monday 21:30: four hours on is after midnight, so it is tomorrow, not "01:30 on Monday"
        (datetime(2026, 11, 23, 21, 30, tzinfo=UTC), datetime(2026, 11, 24, 1, 30, tzinfo=UTC), "01:30 tomorrow"),
        # Saturday 24 October 23:30 BST; the clocks go back at 02:00 BST: four hours on is 02:30 GMT
        (datetime(2026, 10, 24, 22, 30, tzinfo=UTC), datetime(2026, 10, 25, 2, 30, tzinfo=UTC), "02:30 tomorrow"),
        # Saturday 28 March 23:30 GMT; the clocks go forward at 01:00 GMT: four hours on is 04:30 BST
        (datetime(2026, 3, 28, 23, 30, tzinfo=UTC), datetime(2026, 3, 29, 3, 30, tzinfo=UTC), "04:30 tomorrow"),
    ],
    ids=["same-day", "across-midnight", "clocks-go-back", "clocks-go-forward"],
)
def test_asking_for_a_person_promises_the_tasks_due_time_on_the_page_and_in_the_email(
    client: Client, new_case: Case, moment: datetime, due: datetime, said: str
) -> None:
    before, after = ask_for_a_person(client, new_case, moment)

    task = Task.objects.get(kind=TaskKind.PERSON_REQUESTED)
    assert task.due_at == due == moment + timedelta(hours=4)
    assert f"will get in touch within 4 hours: by {said} if you ask now." in before
    assert f"A person from our care team will get in touch by {said} at the latest." in after
    mail = OutboxMessage.objects.get(idempotency_key=f"person-requested:{task.pk}")
    assert mail.subject == f"{new_case.reference}: A person will be in touch by {said}"
    assert f"will get in touch by phone, by {said} at the latest." in mail.body_text
    # The case page's messages panel keeps the same promise
    with at(moment):
        panel = text(client.get(f"/c/{link_token(case=new_case)}/").content.decode())
    assert f"someone from our care team will get in touch by {said} at the latest." in panel


def test_a_promise_read_on_a_later_day_names_its_day(client: Client, new_case: Case) -> None:
    ask_for_a_person(client, new_case, datetime(2026, 11, 23, 21, 30, tzinfo=UTC))

    with at(datetime(2026, 11, 25, 9, 0, tzinfo=UTC)):
        page = text(client.get(f"/c/{link_token(case=new_case)}/person/").content.decode())

    assert "will get in touch by 01:30 on Tuesday 24 November at the latest." in page


def test_a_lead_decides_by_the_approval_tasks_due_time(client: Client, new_case: Case) -> None:
    agent = StaffFactory(username="jo", first_name="Jo", last_name="Marsh", teams=["care"])
    client.force_login(agent)
    panel = reverse("console:case_remedies", args=[new_case.reference])
    moment = datetime(2026, 10, 24, 23, 0, tzinfo=UTC)  # Sunday 00:00 BST; the clocks go back at 02:00
    with at(moment):
        page = client.get(panel).content.decode()
        version = re.search(r'name="refund-version" value="(\d+)"', page)
        nonce = re.search(r'name="refund-nonce" value="([^"]+)"', page)
        assert version and nonce
        response = client.post(
            reverse("console:remedy_give", args=[new_case.reference]),
            {
                "kind": "refund",
                "refund-version": version.group(1),
                "refund-nonce": nonce.group(1),
                "refund-amount": "40",
                "refund-reason": "Screen cracked in our care",
                "action": "ask",
            },
        )
    assert response.status_code == 302

    request = RemedyRequest.objects.get()
    task = Task.objects.get(kind=TaskKind.REMEDY_APPROVAL)
    assert request.amount == Decimal("40.00")
    assert task.due_at == request.due_at == moment + timedelta(hours=4)  # 03:00 GMT, not 04:00
    mail = OutboxMessage.objects.get(idempotency_key=f"remedy-request:{request.pk}")
    assert mail.subject == f"{new_case.reference}: a refund of £40.00: a team lead decides by 03:00 today"
    assert "A team lead will decide by 03:00 today, and we'll write to you either way." in mail.body_text
    entry = TimelineEntry.objects.get(case=new_case, event="remedy_requested")
    assert entry.summary == "Jo Marsh asked a lead for a refund of £40.00; a lead decides by 03:00 today"
