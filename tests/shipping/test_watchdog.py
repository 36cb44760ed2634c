"""Issue 15, part 6: a parcel that stops moving becomes a person's task, and its customer gets an
honest, plain message before they have to ask, within the bound its lane has earned from the shop's
own deliveries. Parcels made through the order page, the scan station and the carrier's signed
webhooks; the watchdog is the worker's pass. Run on SQLite and on PostgreSQL (DATABASE_URL)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.portal.story import crew
from tests.shipping.parcel_story import (
    SERVICE,
    T0,
    H,
    carrier_says,
    delivered_kit,
    kit_sent,
    shipment,
    worker_pass,
)
from touchpoint.cases.models import Case, Task, TaskStatus, TimelineEntry
from touchpoint.outbox.models import OutboxMessage
from touchpoint.shipping.models import LaneFigure

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("carrier_secrets")]


def watchdog_tasks(case: Case) -> list[Task]:
    return list(Task.objects.filter(case=case, source_key__startswith="watchdog:").order_by("pk"))


def watchdog_messages(case: Case) -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(case=case, idempotency_key__startswith="watchdog:").order_by("pk"))


def console_case(case: Case) -> str:
    staff = Client()
    staff.force_login(crew())
    response = staff.get(f"/console/cases/{case.reference}/")
    assert response.status_code == 200
    return response.content.decode()


def test_a_parcel_silent_past_its_lanes_bound_becomes_a_task_and_a_plain_message(settings: Any) -> None:
    settings.TOUCHPOINT_WATCHDOG_MIN_DELIVERIES = 3  # three deliveries are enough history here
    # Given three kits on the same lane, delivered 20, 24 and 30 hours after their first scan
    # (two by the carrier's expected day, one the day after)
    delivered_kit("RM000000001GB", T0, 20, expected="2026-11-03")
    delivered_kit("RM000000002GB", T0 + 2 * H, 24, expected="2026-11-03")
    delivered_kit("RM000000003GB", T0 + 4 * H, 30, expected="2026-11-02")
    # When the worker works the lanes out
    worker_pass(T0 + 72 * H)
    # Then the lane's figures are the shop's own: p50 24 h, p90 30 h, two on time, one late
    lane = LaneFigure.objects.get()
    assert (lane.carrier, lane.service_level, lane.origin_area) == ("Royal Mail", SERVICE, "BS")
    assert (lane.deliveries, lane.p50_hours, lane.p90_hours) == (3, 24.0, 30.0)
    assert (lane.on_time, lane.late, lane.lost) == (2, 1, 0)

    # Given a fourth kit on that lane, scanned an hour after it left, then nothing
    sent = T0 + 96 * H
    customer = kit_sent("RM000000004GB", sent)
    carrier_says("RM000000004GB", [("InTransit", sent + H)])
    case = customer.case
    # Then its bound is the lane's p90 and a quarter: 37.5 hours after that scan
    parcel = shipment("RM000000004GB")
    assert parcel.silent_after == sent + H + 37.5 * H

    # When the worker looks a minute before the bound: nothing yet
    worker_pass(sent + H + 37.5 * H - H / 60)
    assert watchdog_tasks(case) == []
    # When it looks just after: a task for the shipping team, with the last scan and the carrier's link
    worker_pass(sent + H + 37.5 * H + H / 60)
    [task] = watchdog_tasks(case)
    assert task.owner == "team:shipping"
    assert task.status == TaskStatus.OPEN
    assert task.priority == 1
    assert task.title == f"{case.reference}: the repair kit has gone quiet — trace it with Royal Mail"
    assert "Tracking number: RM000000004GB (Royal Mail, Royal Mail Tracked 24)" in task.detail
    assert "Last scan: “Item received at Leeds Mail Centre” at Leeds Mail Centre, " in task.detail
    parcel.refresh_from_db()
    assert parcel.tracking_url and f"The carrier's tracking page: {parcel.tracking_url}" in task.detail
    # And the customer is told plainly, before they ask, with the carrier's link and their case's
    [message] = watchdog_messages(case)
    assert message.subject == f"{case.reference}: your repair kit has gone quiet in the post — we're on it"
    body = message.body_text
    assert "Royal Mail last scanned your repair kit at Leeds Mail Centre on Friday 6 November" in body
    assert "a person on our team is asking Royal Mail to trace it now. You don't need to do anything." in body
    # (and when we write again at the latest: when the journey's own wait limit in the post runs out)
    assert "If it still hasn't turned up by 21:00 tomorrow, we'll write again with what happens next." in body
    assert f"Royal Mail's tracking page: {parcel.tracking_url}" in body
    assert "/c/" in body
    assert "!" not in body  # no jokes, no exclamations: something may have gone wrong
    # And the case's timeline says so; the console's case page shows the task
    entry = TimelineEntry.objects.get(case=case, event="parcel_silent")
    assert entry.actor_kind == "system"
    assert "team:shipping traces it; the customer told" in entry.summary
    assert task.title in console_case(case)
    # And the case stays with the carrier: its delivery still moves it
    assert case.state == "box_in_post"

    # When the worker passes again: no second task, no second message
    worker_pass(sent + 40 * H)
    assert len(watchdog_tasks(case)) == 1
    assert len(watchdog_messages(case)) == 1

    # When the carrier scans it again (a late scan re-arms the watchdog from that scan)
    late_scan = sent + 41 * H
    carrier_says("RM000000004GB", [("InTransit", sent + H), ("InTransit", late_scan)])
    parcel.refresh_from_db()
    assert parcel.watchdog_fired_at is None
    assert parcel.silent_after == late_scan + 37.5 * H
    # Then the journey's own wait limit (2½ days in the post) stays the outer bound: at 60 hours the
    # case goes to the shipping team to trace, and the watchdog finds it traced already
    worker_pass(late_scan + 38 * H)
    assert Case.objects.get(pk=case.pk).state == "box_lost"
    assert len(watchdog_tasks(case)) == 1
    assert len(watchdog_messages(case)) == 1
    parcel.refresh_from_db()
    assert parcel.watchdog_fired_at is not None


def test_thin_history_keeps_the_bound_between_the_floor_and_the_ceiling() -> None:
    # Given no history on the lane: a kit's bound is the ceiling (5 days) from its dispatch
    customer = kit_sent("RM000000011GB", T0)
    assert shipment("RM000000011GB").silent_after == T0 + 120 * H
    # and from its scan once scanned
    carrier_says("RM000000011GB", [("InTransit", T0 + H)])
    assert shipment("RM000000011GB").silent_after == T0 + H + 120 * H
    assert customer.case.state == "box_in_post"

    # Given one delivery in 2 hours (fewer than the 20 the p90 needs alone): 2.5 hours is below the floor
    delivered_kit("RM000000012GB", T0, 2)
    worker_pass(T0 + 24 * H)
    assert LaneFigure.objects.get().p90_hours == 2.0
    # Then a new kit's bound is the floor, 24 hours from its scan
    kit_sent("RM000000013GB", T0 + 30 * H)
    carrier_says("RM000000013GB", [("InTransit", T0 + 31 * H)])
    assert shipment("RM000000013GB").silent_after == T0 + 31 * H + 24 * H


def test_the_carriers_exception_goes_to_a_person_at_once_and_only_once() -> None:
    # Given a kit in the post
    customer = kit_sent("RM000000021GB", T0)
    carrier_says("RM000000021GB", [("InTransit", T0 + H)])
    # When the carrier reports a problem with it
    carrier_says("RM000000021GB", [("InTransit", T0 + H), ("Exception", T0 + 5 * H)])
    # Then the journey takes the case to the team that traces parcels at once, with its task
    case = customer.case
    assert case.state == "box_lost"
    open_tasks = Task.objects.filter(case=case, status=TaskStatus.OPEN, owner="team:shipping")
    assert [task.title for task in open_tasks] == [
        f"{case.reference}: We're tracing your repair kit",
        f"{case.reference}: accept: We're tracing your repair kit",
    ]
    before = list(open_tasks)
    # And the watchdog, due at once, finds it in hand: no second task or message
    worker_pass(T0 + 6 * H)
    assert list(open_tasks) == before
    assert watchdog_tasks(case) == []
    assert watchdog_messages(case) == []
    assert shipment("RM000000021GB").watchdog_fired_at is not None
    # And the lane counts it lost once the worker works the lane out
    worker_pass(T0 + 30 * H)
    assert (LaneFigure.objects.get().lost, LaneFigure.objects.get().deliveries) == (1, 0)
