"""Touch points that carry a file: the kinds are written with the message, the file is made at send
time and reaches a real SMTP server attached; a kind nobody can make goes to a person."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import override_settings

from tests.quotes.repair import walk_to
from tests.support.factories import CustomerFactory
from tests.support.orders import place_repair_order, register_library
from tests.support.smtp import SinkHandler, smtp_mailers, smtp_sink
from touchpoint.cases.actors import SYSTEM
from touchpoint.cases.models import Case, Task, TaskKind
from touchpoint.flows.advance import case_advance
from touchpoint.journeys.library import library_file
from touchpoint.outbox.models import MessageStatus, OutboxMessage
from touchpoint.worker.loop import Worker


@pytest.fixture
def sink() -> Iterator[SinkHandler]:
    with smtp_sink() as (handler, port), override_settings(MAILERS=smtp_mailers(port)):
        yield handler


@pytest.fixture
def mail_in_repair(db: Any) -> None:
    register_library("mail-in-repair")


def dispatched_box() -> Case:
    """A prepaid-box repair, paid, with its repair kit scanned out to the carrier (touch point box_on_its_way)."""
    customer = CustomerFactory(name="Ian Kearns", email="ian@example.com", address_line1="1 High St", town="Leeds")
    return walk_to(place_repair_order(customer, prepaid_box=True), "box_in_post")


def test_only_the_dispatch_touch_points_list_the_box_label(mail_in_repair: None) -> None:
    case = dispatched_box()
    kinds = dict(OutboxMessage.objects.filter(case=case).values_list("touchpoint", "attachments"))
    assert kinds == {
        "order_received": [],
        "order_confirmed_box_coming": [],
        "box_on_its_way": ["box_label"],
    }


def test_the_box_label_reaches_a_real_smtp_server_attached_as_a_pdf(mail_in_repair: None, sink: SinkHandler) -> None:
    case = dispatched_box()

    totals = Worker(worker_id="w1").run(until_idle=True)

    # the order, the payment and the dispatch each told: only the dispatch carries the label
    assert totals.sent == 3
    assert [m.message.get_content_type() for m in sink.received] == [
        "multipart/alternative",
        "multipart/alternative",
        "multipart/mixed",
    ]
    got = sink.received[2]
    assert got.rcpt_tos == ["ian@example.com"]
    assert got.message.get_content_type() == "multipart/mixed"
    text = got.message.get_body(("plain",))
    html = got.message.get_body(("html",))
    assert text is not None and html is not None  # the message itself is intact beside the file
    [pdf] = list(got.message.iter_attachments())
    assert pdf.get_content_type() == "application/pdf"
    assert pdf.get_filename() == f"{case.reference}-prepaid-label.pdf"
    data = pdf.get_content()
    assert data.startswith(b"%PDF-1.")
    assert len(re.findall(rb"/Type /Page\b(?!s)", data)) == 2
    message = OutboxMessage.objects.get(case=case, touchpoint="box_on_its_way")
    assert got.message["Message-ID"] == message.headers["Message-ID"]
    assert message.status == MessageStatus.SENT


def test_a_message_without_files_still_goes_out_by_the_fast_path_unchanged(new_case: Case, sink: SinkHandler) -> None:
    case_advance(case=new_case, event="payment_received", actor=SYSTEM)
    Worker(worker_id="w1").run(until_idle=True)
    [got] = sink.received
    assert got.message.get_content_type() == "multipart/alternative"
    assert list(got.message.iter_attachments()) == []


def test_a_file_nobody_can_make_is_not_retried_and_reaches_a_person(
    new_case: Case, sink: SinkHandler, settings: Any
) -> None:
    # a shop's settings name a file for a touch point, but no maker for that kind
    settings.TOUCHPOINT_TOUCHPOINT_ATTACHMENTS = {"send_device": ["warranty_card"]}
    case_advance(case=new_case, event="payment_received", actor=SYSTEM)
    message = OutboxMessage.objects.get(case=new_case)
    assert message.attachments == ["warranty_card"]

    totals = Worker(worker_id="w1").run(until_idle=True)

    message.refresh_from_db()
    assert sink.received == []
    assert (totals.sent, message.status, message.attempts) == (0, MessageStatus.DEAD, 1)
    assert "no maker for attachment kind `warranty_card`" in message.last_error
    task = Task.objects.get(kind=TaskKind.DELIVERY_FAILED)
    assert task.case == new_case


def test_every_touch_point_given_a_file_exists_in_the_journey_and_every_kind_has_a_maker(settings: Any) -> None:
    from touchpoint.journeys import parse_journey

    path = library_file("mail-in-repair")
    assert path is not None
    journey = parse_journey(path.read_text(), filename=str(path)).journey
    mapping = settings.TOUCHPOINT_TOUCHPOINT_ATTACHMENTS
    assert sorted(mapping) == ["box_on_its_way", "new_box_on_its_way", "send_in_own_packaging"]
    assert set(mapping) <= set(journey.touchpoints)
    assert {kind for kinds in mapping.values() for kind in kinds} <= set(settings.TOUCHPOINT_ATTACHMENT_MAKERS)
