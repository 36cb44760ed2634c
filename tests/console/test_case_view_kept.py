"""The case view keeps its timeline drawn between requests, under the case's marks (console/reads/kept.py,
decision 12). Whatever changes what the page shows, made the way a person or a provider makes it, shows
on the very next page: each test draws the page twice (the second from the cache), makes the change,
and reads the page again."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client, override_settings
from django.utils.html import escape

from tests.console.given import open_repair, page_url, signed_in
from tests.inbox.mails import mail
from tests.payments.conftest import install_recorded_stripe, start_checkout
from tests.payments.conftest import open_repair as ordered
from tests.payments.test_webhook import completed
from tests.payments.test_webhook import post as stripe_post
from tests.sms.test_receipts import texted, twilio_reports
from tests.support import twilio_server
from tests.support.carriers import deliver, dispatched, recorded, signed
from tests.support.factories import CustomerFactory, StaffFactory
from tests.support.smtp import smtp_mailers, smtp_sink
from tests.support.twilio_server import TwilioServer
from touchpoint.cases.actors import SYSTEM
from touchpoint.cases.journeys import journey_of
from touchpoint.cases.models import Case
from touchpoint.core.clock import at
from touchpoint.flows.advance import case_advance
from touchpoint.inbox.services import inbound_receive
from touchpoint.links.services import link_issue
from touchpoint.outbox.models import MessageStatus, OutboxMessage
from touchpoint.staff.models import Role, StaffUser
from touchpoint.worker.loop import Worker

pytestmark = pytest.mark.django_db
twilio = twilio_server.twilio


@pytest.fixture
def lead() -> StaffUser:
    return StaffFactory(teams=["care", "intake", "workshop", "shipping"], role=Role.LEAD, first_name="Lena")


def timeline(client: Client, case: Case) -> str:
    """The page's timeline, drawn twice: the second time it comes from the cache, and must be the same."""
    first, second = (_timeline_of(client.get(page_url(case)).content.decode()) for _ in range(2))
    assert first == second
    return second


def _timeline_of(page: str) -> str:
    start = page.index('<section class="card timeline"')
    return page[start : page.index("</section>", start)]


def statuses(html: str) -> list[str]:
    return re.findall(r'<span class="status status-([a-z]+)">', html)


def test_a_staff_note_shows_on_the_next_page(lead: StaffUser) -> None:
    case, client = open_repair(), signed_in(lead)
    assert "Rang her back" not in timeline(client, case)
    form = {"text": "Rang her back", "version": Case.objects.get(pk=case.pk).version, "nonce": "n1"}
    assert client.post(page_url(case, "note"), form).status_code == 302
    assert "Rang her back" in timeline(client, case)


def test_the_worker_sending_a_message_shows_it_sent(lead: StaffUser) -> None:
    case, client = open_repair(), signed_in(lead)
    assert statuses(timeline(client, case)) == ["pending"]
    Worker(worker_id="w1").run(until_idle=True)
    assert statuses(timeline(client, case)) == ["sent"]


def test_a_message_the_mail_server_refuses_shows_it_given_up(lead: StaffUser) -> None:
    case, client = open_repair(), signed_in(lead)
    assert statuses(timeline(client, case)) == ["pending"]
    with smtp_sink(fail_with="550 5.1.1 no such user") as (_, port), override_settings(MAILERS=smtp_mailers(port)):
        Worker(worker_id="w1").run(until_idle=True)
    assert statuses(timeline(client, case)) == ["dead"]


def test_an_sms_delivery_receipt_through_the_signed_webhook_shows(twilio: TwilioServer, lead: StaffUser) -> None:
    case, _text, sent = texted(twilio)
    client = signed_in(lead)
    assert "carrier: queued" in timeline(client, case)
    assert twilio_reports(sent, "delivered").status_code == 200
    page = timeline(client, case)
    assert "carrier: delivered" in page and "carrier: queued" not in page


def test_the_customers_email_reply_shows(lead: StaffUser) -> None:
    case, client = open_repair(), signed_in(lead)
    Worker(worker_id="w1").run(until_idle=True)  # our email goes, with its Message-ID
    assert "Is it fixed yet?" not in timeline(client, case)
    ours = OutboxMessage.objects.filter(case=case).latest("created_at")
    raw = mail(sender="Ian Kearns <ian@example.com>", body="Is it fixed yet?", in_reply_to=ours.headers["Message-ID"])
    inbound_receive(raw=raw, source="webhook")
    assert "Is it fixed yet?" in timeline(client, case)


def test_the_customers_message_on_their_case_page_shows(lead: StaffUser) -> None:
    case, client = open_repair(), signed_in(lead)
    token = link_issue(case=case)
    assert "Any news on my player?" not in timeline(client, case)
    posted = Client().post(
        f"/c/{token}/messages/", {"text": "Any news on my player?", "nonce": "0123456789abcdef0123456789abcdef"}
    )
    assert posted.status_code == 302
    assert "Any news on my player?" in timeline(client, case)


def test_a_reassignment_shows_in_the_timeline_and_the_head(lead: StaffUser) -> None:
    case, client = payment_failed(open_repair()), signed_in(lead)  # the intake team's now
    other = StaffFactory(teams=["intake"], first_name="Omar", last_name="Reyes")
    timeline(client, case)
    form = {"assignee": str(other.pk), "version": Case.objects.get(pk=case.pk).version, "nonce": "a1"}
    assert client.post(page_url(case, "assign"), form).status_code == 302
    page = client.get(page_url(case)).content.decode()
    assert "Omar Reyes" in _timeline_of(page) and "<dt>Assigned to</dt><dd>Omar Reyes</dd>" in page


def test_a_move_on_the_customers_other_case_shows_on_the_card(lead: StaffUser) -> None:
    ian = CustomerFactory(name="Ian Kearns", email="ian@example.com")
    case, other, client = open_repair(ian), open_repair(ian), signed_in(lead)
    timeline(client, case)
    assert other.reference in client.get(page_url(case)).content.decode()
    label = escape(journey_of(other.journey).states["payment_failed"].label)
    assert label not in card_of(client.get(page_url(case)).content.decode())
    payment_failed(other)
    assert label in card_of(client.get(page_url(case)).content.decode())


def card_of(page: str) -> str:
    return page.split('class="card context"', 1)[1].split("</section>", 1)[0]


def payment_failed(case: Case) -> Case:
    """The payment's wait limit runs out: the case is the intake team's, to chase."""
    return case_advance(case=case, event="payment_overdue", actor=SYSTEM).case


def test_a_carriers_tracking_webhook_shows_its_move(lead: StaffUser, carrier_secrets: Any) -> None:
    customer = dispatched()
    case, client = customer.case, signed_in(lead)
    before = timeline(client, case)
    body = recorded("aftership", "in_transit")
    assert deliver("aftership", body, signed("aftership", body)).status_code == 200
    after = timeline(client, case)
    assert after != before and after.count('class="entry') == before.count('class="entry') + 1


def test_a_message_sent_by_a_retry_after_a_failed_attempt_shows_sent(lead: StaffUser) -> None:
    """A temporary failure changes nothing the timeline shows; the retry that sends it does."""
    case, client = open_repair(), signed_in(lead)
    with (
        smtp_sink(fail_times=1, fail_with="451 4.3.0 mailbox busy, try later") as (_, port),
        override_settings(MAILERS=smtp_mailers(port)),
    ):
        Worker(worker_id="w1").run(max_passes=1)
        message = OutboxMessage.objects.get(case=case)
        assert (message.status, message.attempts) == (MessageStatus.PENDING, 1)
        assert statuses(timeline(client, case)) == ["pending"]
        with at(message.next_attempt_at):
            Worker(worker_id="w1").run(until_idle=True)
    assert statuses(timeline(client, case)) == ["sent"]


def test_a_colleague_renamed_shows_under_their_new_name(lead: StaffUser) -> None:
    case, client = open_repair(), signed_in(lead)
    form = {"text": "Checked the seal", "version": Case.objects.get(pk=case.pk).version, "nonce": "n1"}
    assert client.post(page_url(case, "note"), form).status_code == 302
    assert "Lena" in timeline(client, case)
    StaffUser.objects.filter(pk=lead.pk).update(first_name="Helena")  # as the people page or the admin does
    page = timeline(client, case)
    assert "Helena" in page and "Lena " not in page


def test_a_card_payment_through_stripes_webhook_shows_on_the_card_and_the_timeline(
    lead: StaffUser, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    wire = install_recorded_stripe(settings, monkeypatch)
    case, client = ordered(), signed_in(lead)
    start_checkout(case, wire)
    before = client.get(page_url(case)).content.decode()
    assert "<dt>Lifetime value</dt><dd>£0.00</dd>" in card_of(before)
    timeline(client, case)
    assert stripe_post(Client(), completed()).status_code == 200
    after = client.get(page_url(case)).content.decode()
    assert "<dt>Lifetime value</dt><dd>£0.00</dd>" not in card_of(after)
    assert _timeline_of(after).count('class="entry') > _timeline_of(before).count('class="entry')
