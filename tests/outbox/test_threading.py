"""A whole journey's messages reach a real SMTP server as one thread in the customer's mail app."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.conf import settings
from django.test import override_settings

from tests.support.factories import StaffFactory
from tests.support.smtp import SinkHandler, smtp_mailers, smtp_sink
from tests.support.timers import time_runs_out
from touchpoint.cases.actors import CARRIER, CUSTOMER, SYSTEM, staff_actor
from touchpoint.cases.models import Case
from touchpoint.flows.advance import case_advance
from touchpoint.outbox.models import OutboxMessage
from touchpoint.outbox.services import MAX_REFERENCES, thread_headers
from touchpoint.worker.loop import Worker


@pytest.fixture
def sink() -> Iterator[SinkHandler]:
    with smtp_sink() as (handler, port), override_settings(MAILERS=smtp_mailers(port)):
        yield handler


def walk(case: Case) -> Case:
    """mini-repair from payment to home: paid, arrived, needs an OK, approved, delivered."""
    bench = staff_actor(StaffFactory(teams=["bench"]))
    steps = [
        ("payment_received", SYSTEM, None),
        ("device_arrived", CARRIER, None),
        ("repaired", bench, {"needs_ok": True}),
        ("approved", CUSTOMER, None),
        ("delivered", CARRIER, None),
    ]
    for event, actor, given in steps:
        case = case_advance(case=case, event=event, actor=actor, given=given).case
    return case


def test_every_message_of_a_journey_chains_to_the_ones_before_it(new_case: Case, sink: SinkHandler) -> None:
    case = walk(new_case)
    assert Worker(worker_id="w1").run(until_idle=True).sent == 5
    by_id = {str(r.message["Message-ID"]): r.message for r in sink.received}
    sent = list(OutboxMessage.objects.filter(case=case).order_by("created_at", "id"))
    assert [m.touchpoint for m in sent] == ["send_device", "arrived", "needs_ok", "fixed", "home"]
    ids = [m.headers["Message-ID"] for m in sent]
    assert set(by_id) == set(ids)
    reply_to = f"reply+{case.reply_token}@{settings.TOUCHPOINT_REPLY_DOMAIN}"
    for n, message_id in enumerate(ids):
        got = by_id[message_id]
        if n == 0:
            assert (got["In-Reply-To"], got["References"]) == (None, None)
        else:
            assert got["In-Reply-To"] == ids[n - 1]
            assert str(got["References"]).split() == ids[:n]
        assert got["Reply-To"] == reply_to
        assert got["Auto-Submitted"] == "auto-generated"
        assert (got["List-Unsubscribe"], got["Precedence"]) == (None, None)
        assert got.get_content_type() == "multipart/alternative"
        text, html = got.get_body(("plain",)), got.get_body(("html",))
        assert text is not None and "Talk to a person: reply to this email" in text.get_content()
        assert html is not None and "<strong>Talk to a person:</strong> reply to this email" in html.get_content()
    assert [by_id[i]["Subject"] for i in ids] == [
        f"{case.reference}: Paid; how to send the device.",
        f"{case.reference}: The device has arrived.",
        f"{case.reference}: Extra work needs your OK.",
        f"{case.reference}: Repaired and on its way home.",
        f"{case.reference}: Home safe.",
    ]


def test_references_keep_the_first_message_and_the_latest_ones(new_case: Case) -> None:
    # given a case that has already sent fifteen messages: paid, arrived, then a repair that runs
    # late day after day (each day the worker's timer sends "still late")
    case = case_advance(case=new_case, event="payment_received", actor=SYSTEM).case
    case = case_advance(case=case, event="device_arrived", actor=CARRIER).case
    while OutboxMessage.objects.filter(case=case).count() < 15:
        case = time_runs_out(case)
    ids = list(OutboxMessage.objects.filter(case=case).order_by("created_at", "id").values_list("headers", flat=True))
    ids = [headers["Message-ID"] for headers in ids]
    assert case.state == "running_late" and len(ids) == 15
    # when the next one is threaded
    headers = thread_headers(case=case)
    # then it answers the latest and refers to the first and the nine latest
    assert headers["In-Reply-To"] == ids[14]
    assert headers["References"].split() == [ids[0], *ids[6:15]]
    assert len(headers["References"].split()) == MAX_REFERENCES


def test_a_notice_about_a_case_joins_its_thread_unless_it_answers_a_message_of_its_own(new_case: Case) -> None:
    from touchpoint.outbox.services import notice_enqueue

    case = case_advance(case=new_case, event="payment_received", actor=SYSTEM).case
    first = OutboxMessage.objects.get(case=case).headers["Message-ID"]
    threaded = notice_enqueue(
        recipient="ian@example.com", subject="About your attachment", body_text="-", idempotency_key="n1", case=case
    )
    assert (threaded.headers["In-Reply-To"], threaded.headers["References"]) == (first, first)
    assert threaded.headers["Reply-To"] == f"reply+{case.reply_token}@{settings.TOUCHPOINT_REPLY_DOMAIN}"
    assert threaded.headers["Auto-Submitted"] == "auto-generated"
    answer = notice_enqueue(
        recipient="ian@example.com",
        subject="Re: your photo",
        body_text="-",
        idempotency_key="n2",
        case=case,
        headers={"In-Reply-To": "<theirs@example.com>", "References": "<theirs@example.com>"},
    )
    assert (answer.headers["In-Reply-To"], answer.headers["References"]) == ("<theirs@example.com>",) * 2
    stranger = notice_enqueue(recipient="who@example.com", subject="Hello", body_text="-", idempotency_key="n3")
    assert set(stranger.headers) == {"Message-ID", "Auto-Submitted", "X-Auto-Response-Suppress"}


def test_norms_mail_in_repair_messages_thread_and_turn_sober_with_a_complaint(sink: SinkHandler, db: None) -> None:
    from tests.quotes.repair import console, pay_offline, scan
    from tests.support.factories import CustomerFactory
    from tests.support.orders import place_repair_order

    customer = CustomerFactory(name="Zoë Ward", email="zoe@example.com")
    case = pay_offline(place_repair_order(customer))  # the bank transfer recorded by intake
    case = scan(case, "arrived")  # posted without telling us: the scan station books it in
    case = console(case, "surgery_started")
    case = case_advance(case=case, event="complaint_raised", actor=CUSTOMER).case
    assert Worker(worker_id="w1").run(until_idle=True).sent == 4
    sent = list(OutboxMessage.objects.filter(case=case).order_by("created_at", "id"))
    by_id = {str(r.message["Message-ID"]): r.message for r in sink.received}
    ref = case.reference
    assert [(m.touchpoint, m.tone) for m in sent] == [
        ("order_received", "playful"),
        ("order_confirmed_send_device", "playful"),
        ("arrived_resting", "playful"),
        ("complaint_received", "sober"),
    ]
    got = [by_id[m.headers["Message-ID"]] for m in sent]
    assert [g["Subject"] for g in got] == [
        f"{ref}: Your order is in – let's get your Nano (4th gen) better",
        f"{ref}: Paid! Here's how to send your Nano (4th gen) in",
        f"{ref}: Your Nano (4th gen) has arrived safely",
        f"{ref}: We've received your complaint",
    ]
    for n, message in enumerate(got[1:], start=1):
        assert message["In-Reply-To"] == sent[n - 1].headers["Message-ID"]
        assert str(message["References"]).split() == [m.headers["Message-ID"] for m in sent[:n]]
    resting = got[2].get_body(("plain",))
    assert resting is not None
    assert (
        resting.get_content()
        .replace("\r\n", "\n")
        .startswith(  # text travels in canonical CRLF form
            # (when the surgery is, the touch points' words from the timer that holds the bench to it)
            "Hi Zoë,\n\nGood news: your Nano (4th gen) has arrived safely and is resting to get its strength up "
            "before the surgery"
        )
    )
    complaint = got[3].get_body(("plain",))
    assert complaint is not None and "Cheers" not in complaint.get_content()
