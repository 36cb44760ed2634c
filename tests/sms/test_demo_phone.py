"""In the demo, the dev mailbox is the customer's phone (issue 17's "done when"): a reply typed under
a text, STOP, START or HELP goes to the shop's inbound webhook over HTTP, signed as Twilio signs it,
and the shop acts on it as on Twilio's; a text to the demo's switched-off phone is reported
undelivered to the receipts webhook by the worker, and the customer hears by email instead.

The shop is served by a real HTTP server (``live_server``) at ``TOUCHPOINT_PUBLIC_URL``, as
``make run`` serves it; nothing here calls the webhooks' code directly."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.test import Client
from django.utils.dateformat import format as date
from django.utils.html import escape
from django.utils.timezone import localtime

from tests.console.given import page_url, signed_in
from tests.portal.test_intake_service import shop  # noqa: F401 - the fixture
from tests.sms.test_sending import order_by_text, payment_never_comes
from tests.support.factories import StaffFactory
from tests.support.smtp import free_port
from touchpoint.cases.models import Case, Task, TimelineEntry
from touchpoint.core.clock import now
from touchpoint.devmail import phone
from touchpoint.devmail.models import CapturedMail
from touchpoint.devmail.phone import SWITCHED_OFF
from touchpoint.inbox.models import InboundMessage, Source
from touchpoint.outbox.models import MessageStatus, OutboxMessage
from touchpoint.worker.loop import Worker

pytestmark = pytest.mark.usefixtures("shop")
CAPTURE = {"default": {"BACKEND": "touchpoint.devmail.backend.CaptureBackend", "OPTIONS": {}}}
SHOP_NUMBER = "+447700900900"


@pytest.fixture
def demo(live_server: Any, settings: Any) -> str:
    """``make run``'s settings: mail and texts kept in the dev mailbox, a Twilio token for the
    signatures, the shop served over HTTP at its public address."""
    settings.TOUCHPOINT_DEV_MAILBOX = True
    settings.ROOT_URLCONF = "tests.devmail.urls"
    settings.MAILERS = CAPTURE
    settings.TOUCHPOINT_SMS_PROVIDER = "touchpoint.devmail.sms.CaptureSmsProvider"
    settings.TWILIO_AUTH_TOKEN = "demo-twilio-token"
    settings.TWILIO_FROM_NUMBER = SHOP_NUMBER
    settings.TOUCHPOINT_PUBLIC_URL = live_server.url
    return str(live_server.url)


def order(client: Client, **change: str) -> Case:
    """The customer orders on the order page, choosing texts. On the real clock, as the live server
    that takes the phone's posts runs on it (the order is the customer's own move, so its text goes at
    once whatever the hour)."""
    return order_by_text(client, when=now(), **change)


def work() -> None:
    """A worker's passes until idle, on the real clock too (what the live server wrote is due)."""
    Worker(worker_id="w1").run(until_idle=True)


def the_text(case: Case) -> CapturedMail:
    return CapturedMail.objects.filter(channel="sms", case_reference=case.reference).latest("id")


def reply(client: Client, text: CapturedMail, **form: str) -> Any:
    return client.post(f"/dev/mail/{text.pk}/reply", form)


def events(case: Case) -> list[str]:
    return list(TimelineEntry.objects.filter(case=case).order_by("seq").values_list("event", flat=True))


def test_a_text_shows_the_phone_to_reply_from(client: Client, demo: str) -> None:
    case = order(client)
    work()

    page = client.get(f"/dev/mail/{the_text(case).pk}/").content.decode()

    assert '<h2 id="reply-title">Reply from +447700900123</h2>' in page
    assert '<textarea name="body"' in page
    for word in ("STOP", "START", "HELP"):
        assert f'<button type="submit" name="word" value="{word}">{word}</button>' in page
    assert "<dt>From</dt><dd>+447700900900</dd>" in page


def test_a_reply_goes_to_the_signed_webhook_and_joins_the_case_for_a_person(client: Client, demo: str) -> None:
    case = order(client)
    work()
    text = the_text(case)

    response = reply(client, text, body="Can you fix the headphone socket too?")

    assert response.status_code == 302
    assert re.fullmatch(rf"/dev/mail/{text.pk}/\?replied=SM[0-9a-f]{{32}}#reply", response["Location"])
    [stored] = InboundMessage.objects.all()
    assert (stored.source, stored.from_email, stored.to, stored.case_id) == (
        Source.SMS,
        "+447700900123",
        [SHOP_NUMBER],
        case.pk,
    )
    assert stored.message_id == f"<sms.{response['Location'].split('=')[1].split('#')[0]}@twilio>"
    task = Task.objects.get(pk=stored.task_id)
    assert task.case_id == case.pk and task.status == "open"
    page = client.get(response["Location"]).content.decode()
    assert (
        "The shop took your text “Can you fix the headphone socket too?” through its signed webhook." in page
        and f"It joined case {case.reference}, and a person has a task to answer it." in page
    )
    staff = signed_in(StaffFactory(username="cara", teams=["care"])).get(page_url(case)).text
    assert '<span class="pill">text message</span> Can you fix the headphone socket too?' in staff


def test_stop_from_the_phone_opts_the_number_out_and_the_next_touch_point_comes_by_email(
    client: Client, demo: str
) -> None:
    case = order(client)
    work()

    response = reply(client, the_text(case), word="STOP", body="")

    assert response.status_code == 302
    assert "This number is opted out of texts" in client.get(response["Location"]).content.decode()
    customer = Case.objects.select_related("customer").get(pk=case.pk).customer
    assert customer.sms_opted_out_at is not None
    assert events(case)[-1] == "sms_opted_out"
    staff = signed_in(StaffFactory(username="cara", teams=["care"])).get(page_url(case)).text
    on = date(localtime(customer.sms_opted_out_at), "j F Y")
    assert f'<span class="badge">opted out</span> of texts on {on} (replied STOP)' in staff
    # Nothing is texted back by us (the carrier confirms a STOP); the next touch point is an email
    payment_never_comes(case)
    newest = CapturedMail.objects.filter(case_reference=case.reference).latest("id")
    assert (newest.channel, newest.to) == ("email", customer.email)
    assert CapturedMail.objects.filter(channel="sms").count() == 1


def test_help_from_the_phone_is_answered_by_text_in_the_mailbox(client: Client, demo: str) -> None:
    case = order(client)
    work()
    order_text = the_text(case)

    response = reply(client, order_text, word="HELP")
    assert "The shop's answer comes as a text" in client.get(response["Location"]).content.decode()
    work()

    answer = CapturedMail.objects.filter(channel="sms").latest("id")
    assert answer.pk != order_text.pk and answer.to == "+447700900123"
    assert "Reply STOP to stop texts" in answer.body_text
    assert (
        InboundMessage.objects.get().reply_id == OutboxMessage.objects.get(channel="sms", body_text=answer.body_text).pk
    )


def test_the_switched_off_phone_is_reported_undelivered_and_the_touch_point_comes_by_email(
    client: Client, demo: str
) -> None:
    case = order(client, phone="07700 900999", email="lena@example.com")

    work()

    text = OutboxMessage.objects.get(case=case, channel="sms")
    assert (text.recipient, text.status, text.delivery) == (SWITCHED_OFF, MessageStatus.SENT, "undelivered")
    assert text.delivery_error.startswith("30003")
    fallback = OutboxMessage.objects.get(fallback_for=text)
    assert (fallback.channel, fallback.recipient, fallback.status) == ("email", "lena@example.com", MessageStatus.SENT)
    assert "text_undelivered" in events(case)
    [captured_text] = CapturedMail.objects.filter(channel="sms")
    assert captured_text.headers == [
        [
            "X-Demo-Phone",
            "switched off: the carrier reports this text undelivered (30003 Unreachable destination handset)",
        ]
    ]
    [captured_mail] = CapturedMail.objects.filter(channel="email", case_reference=case.reference)
    assert captured_mail.to == "lena@example.com" and captured_mail.subject == fallback.subject
    page = client.get(f"/dev/mail/{captured_text.pk}/").content.decode()
    assert "<strong>X-Demo-Phone:</strong> switched off" in page
    # Reported once: a later pass posts nothing more
    work()
    assert OutboxMessage.objects.filter(fallback_for=text).count() == 1


def test_a_receipt_waits_while_the_shop_is_not_answering_and_goes_when_it_is(
    client: Client, demo: str, settings: Any
) -> None:
    case = order(client, phone="07700 900999")
    settings.TOUCHPOINT_PUBLIC_URL = f"http://127.0.0.1:{free_port()}"  # the web app not up yet

    work()

    text = OutboxMessage.objects.get(case=case, channel="sms")
    assert (text.delivery, OutboxMessage.objects.filter(fallback_for=text).exists()) == ("sent", False)
    settings.TOUCHPOINT_PUBLIC_URL = demo
    work()
    text.refresh_from_db()
    assert text.delivery == "undelivered" and OutboxMessage.objects.filter(fallback_for=text).count() == 1


class _Refuses(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(401)
        self.end_headers()
        self.wfile.write(b'{"error": "the X-Twilio-Signature does not match"}')

    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.fixture
def refusing_address() -> Iterator[str]:
    """Another app at the shop's address, refusing every post (a token set differently, say)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Refuses)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_refused_receipt_is_posted_once_and_the_worker_goes_idle(
    client: Client, demo: str, settings: Any, refusing_address: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(phone, "_refused", set())
    case = order(client, phone="07700 900999")
    settings.TOUCHPOINT_PUBLIC_URL = refusing_address

    work()  # returns: the refused receipt isn't posted again on every pass
    work()

    text = OutboxMessage.objects.get(case=case, channel="sms")
    assert text.delivery == "sent" and phone._refused == {text.pk}


def test_a_reply_with_nothing_in_it_is_refused_beside_the_form(client: Client, demo: str) -> None:
    case = order(client)
    work()

    response = reply(client, the_text(case), body="   ")

    assert response.status_code == 400
    assert "Type a reply, or press STOP, START or HELP." in response.content.decode()
    assert not InboundMessage.objects.exists()


def test_a_reply_over_twilios_limit_is_refused_and_what_was_typed_stays(client: Client, demo: str) -> None:
    case = order(client)
    work()
    typed = "Is it ready yet? " * 100

    response = reply(client, the_text(case), body=typed)

    assert response.status_code == 400
    page = response.content.decode()
    assert "Ensure this value has at most 1600 characters" in page
    assert escape(typed.strip()) in page
    assert not InboundMessage.objects.exists()


def test_a_reply_when_the_shop_is_not_answering_says_so_and_keeps_the_words(
    client: Client, demo: str, settings: Any
) -> None:
    case = order(client)
    work()
    text = the_text(case)
    settings.TOUCHPOINT_PUBLIC_URL = f"http://127.0.0.1:{free_port()}"

    response = reply(client, text, body="Still waiting")

    assert response.status_code == 502
    page = response.content.decode()
    assert f"The shop&#x27;s webhook at {settings.TOUCHPOINT_PUBLIC_URL}/hooks/sms/twilio/inbound didn" in page
    assert "Is the web app running at TOUCHPOINT_PUBLIC_URL?" in page
    assert "Still waiting</textarea>" in page
    assert not InboundMessage.objects.exists()


def test_without_a_token_the_page_says_what_replies_need(client: Client, demo: str, settings: Any) -> None:
    case = order(client)
    work()
    text = the_text(case)
    settings.TWILIO_AUTH_TOKEN = ""

    assert "they need <code>TWILIO_AUTH_TOKEN</code> set" in client.get(f"/dev/mail/{text.pk}/").content.decode()
    response = reply(client, text, body="Hello?")
    assert response.status_code == 409
    assert "they need <code>TWILIO_AUTH_TOKEN</code> set" in response.content.decode()
    assert not InboundMessage.objects.exists()


def test_only_a_text_can_be_replied_to_from_the_phone(client: Client, demo: str) -> None:
    case = order(client, channel="email")
    work()
    [mail] = CapturedMail.objects.filter(case_reference=case.reference)

    assert reply(client, mail, body="Hi").status_code == 404
    assert client.get(f"/dev/mail/{mail.pk}/reply").status_code == 405
    assert "Reply from" not in client.get(f"/dev/mail/{mail.pk}/").content.decode()
