"""Each insight figure against a history laid down by hand, with every expected number worked out
from the times below (T0 = 1 June 2026 09:00; NOW = T0 + 100 h).

Case A  opened T0; paid T0+1h; device arrived T0+25h; repaired T0+49h; delivered T0+73h (done).
Case B  opened T0; paid T0+3h; the 72 h wait for the device ran out at T0+75h (exception, by timer);
        device arrived T0+80h; the bench didn't accept the handoff within 2 h (timer at T0+82h); open.
Case C  opened T0+10h; never paid; open (its 1 h wait limit long past).
Every message is taken as sent the moment it was written."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.support.factories import CustomerFactory, StaffFactory
from tests.support.timers import messages_go_out
from touchpoint.cases.actors import CARRIER, SYSTEM, staff_actor
from touchpoint.cases.models import Case, Timer, TimerStatus
from touchpoint.core.clock import at
from touchpoint.flows.advance import case_advance, case_open
from touchpoint.flows.timers import timer_fire
from touchpoint.insights.charts import BAR_WIDTH, bar_chart, row_labels
from touchpoint.insights.export import figure_csv, figure_table
from touchpoint.insights.figures import (
    Chart,
    Figure,
    Scope,
    exceptions_by_cause,
    pile_ups,
    silence_gaps,
    time_in_state,
    timer_breaches,
)
from touchpoint.outbox.models import MessageStatus, OutboxMessage
from touchpoint.shop.opening_hours import opening_hours_forget
from touchpoint.staff.models import Role

T0 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
NOW = T0 + timedelta(hours=100)


def h(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def step(case: Case, event: str, when: datetime, actor: Any = SYSTEM, given: dict[str, Any] | None = None) -> Case:
    with at(when):
        return case_advance(case=case, event=event, actor=actor, given=given).case


def order(customer: Any) -> Case:
    return case_open(journey="mini-repair", customer=customer, actor=SYSTEM, data={"model": "nano-4g"}).case


def fire(case: Case, purpose: str, when: datetime) -> None:
    timer = Timer.objects.get(case=case, purpose=purpose, status=TimerStatus.PENDING)
    with at(when):
        timer_fire(timer_id=timer.pk, worker_id="test")


@pytest.fixture
def history(mini_journey: Any, bench_tech: Any) -> dict[str, Case]:
    cases = {}
    with at(T0):
        a = order(CustomerFactory())
        b = order(CustomerFactory())
    a = step(a, "payment_received", h(1))
    a = step(a, "device_arrived", h(25), CARRIER)
    a = step(a, "repaired", h(49), staff_actor(bench_tech), {"needs_ok": False})
    a = step(a, "delivered", h(73), CARRIER)
    b = step(b, "payment_received", h(3))
    fire(b, "wait", h(75))
    b = step(Case.objects.get(pk=b.pk), "device_arrived", h(80), CARRIER)
    fire(b, "accept", h(82))
    with at(h(10)):
        cases["C"] = order(CustomerFactory())
    messages_go_out(OutboxMessage.objects.filter(status=MessageStatus.PENDING))
    cases["A"], cases["B"] = a, b
    return cases


pytestmark = pytest.mark.django_db
NO_HOURS = "calendar (no opening hours set)"


@pytest.fixture(autouse=True)
def _fresh_hours() -> None:
    opening_hours_forget()  # an earlier test's process copy of the opening hours must not count here


def test_time_in_state_gives_p50_and_p90_of_finished_stays(history: dict[str, Case]) -> None:
    with at(NOW):
        figure = time_in_state(Scope())
    assert figure.rows == [
        ("mini-repair", "awaiting_device", "Waiting for your device", 2, 48.0, 67.2, 0, "calendar"),  # 24 h, 72 h
        ("mini-repair", "chasing_device", "We are looking into it", 1, 5.0, 5.0, 0, NO_HOURS),
        ("mini-repair", "on_bench", "On the bench", 1, 24.0, 24.0, 1, NO_HOURS),  # B is still there
        ("mini-repair", "ordered", "Order received", 2, 2.0, 2.8, 1, "calendar"),  # 1 h and 3 h; C still there
        ("mini-repair", "shipped", "On its way home", 1, 24.0, 24.0, 0, "calendar"),
    ]


def test_a_teams_time_in_state_counts_its_opening_hours(history: dict[str, Case]) -> None:
    # The shop opens Monday to Friday, 09:00 to 17:00 in London (BST in June: 08:00 to 16:00 UTC),
    # set the way a lead sets it. The bench and care teams' waits count business time (their
    # default clock); the customer's, the system's and the carrier's the calendar.
    lead = Client()
    lead.force_login(StaffFactory(role=Role.LEAD))
    url = reverse("console:shop_hours")
    stamp = lead.get(url).context["form"].initial["stamp"]
    sent = lead.post(
        url, {"stamp": stamp, "closed_dates": "", "weekly": "Mon-Fri 09:00-17:00", "zone": "Europe/London"}
    )
    assert sent.status_code == 302, sent.content.decode()
    with at(NOW):
        rows = {row[1]: row for row in time_in_state(Scope()).rows}
    # A on the bench from Tuesday 11:00 to Wednesday 11:00 (London): 6 h on Tuesday and 2 h on
    # Wednesday, not 24; B chased from Thursday 13:00 to 18:00: 4 h (the shop shut at 17:00), not 5.
    assert rows["on_bench"][3:] == (1, 8.0, 8.0, 1, "opening hours of bench")
    assert rows["chasing_device"][3:] == (1, 4.0, 4.0, 0, "opening hours of care")
    assert rows["awaiting_device"][3:] == (2, 48.0, 67.2, 0, "calendar")


def test_pile_ups_count_open_cases_and_those_past_the_wait_limit(history: dict[str, Case]) -> None:
    with at(NOW):
        figure = pile_ups(Scope())
    assert figure.rows == [
        ("mini-repair", "ordered", "Order received", 1, 90.0, 1),  # C: 90 h against a 1 h limit
        ("mini-repair", "on_bench", "On the bench", 1, 20.0, 0),  # B: 20 h against 1 d
    ]


def test_timer_breaches_count_wait_limits_and_unaccepted_handoffs(history: dict[str, Case]) -> None:
    with at(NOW):
        figure = timer_breaches(Scope())
    assert figure.rows == [
        ("mini-repair", "awaiting_device", "Waiting for your device", "wait limit ran out", 1),
        ("mini-repair", "on_bench", "On the bench", "handoff not accepted in time", 1),
    ]


def test_silence_gaps_are_the_longest_wait_for_a_message_per_case(history: dict[str, Case]) -> None:
    with at(NOW):
        figure = silence_gaps(Scope())
    refs = {key: case.reference for key, case in history.items()}
    assert figure.rows == [
        (refs["C"], "mini-repair", 90.0, "yes", "open"),  # nothing sent since it opened at T0+10h
        (refs["B"], "mini-repair", 72.0, "no", "open"),  # T0+3h to T0+75h: exactly the 3 d limit
        (refs["A"], "mini-repair", 24.0, "no", "closed"),
    ]


def test_exceptions_by_cause_name_the_state_and_the_event(history: dict[str, Case]) -> None:
    with at(NOW):
        figure = exceptions_by_cause(Scope())
    assert figure.rows == [("mini-repair", "We are looking into it", "not sent", 1)]


def test_a_scope_limits_the_cases_counted(history: dict[str, Case]) -> None:
    with at(NOW):
        assert time_in_state(Scope(journey="walk-in-warranty")).rows == []
        later = pile_ups(Scope(since=h(5)))
    assert later.rows == [("mini-repair", "ordered", "Order received", 1, 90.0, 1)]


def test_figures_export_as_csv_and_print_as_a_table(history: dict[str, Case]) -> None:
    with at(NOW):
        figure = exceptions_by_cause(Scope())
    assert figure_csv(figure) == "journey,exception,cause,times\r\nmini-repair,We are looking into it,not sent,1\r\n"
    assert figure_table(figure).splitlines()[3:] == [
        "journey      exception               cause     times",
        "-----------  ----------------------  --------  -----",
        "mini-repair  We are looking into it  not sent      1",
    ]


def test_a_chart_has_one_labelled_bar_per_row_with_its_whisker(history: dict[str, Case]) -> None:
    with at(NOW):
        figure = time_in_state(Scope())
    chart = bar_chart(figure)
    assert chart is not None and len(chart.bars) == len(figure.rows) == 5
    longest = max(bar.whisker_x or 0 for bar in chart.bars)
    assert longest == BAR_WIDTH  # the largest p90 reaches the full width
    device = next(bar for bar in chart.bars if bar.value == "48.0h – 67.2h")  # awaiting_device: p50 to p90
    assert device.label == "Waiting for your device"
    assert device.whisker_x is not None and device.width < device.whisker_x
    # Bars stack down the chart, each below its label's line, and the chart is as tall as they are
    tops = [bar.y for bar in chart.bars]
    assert tops == sorted(tops) and chart.height == chart.bars[-1].bottom + 12


def test_touchpoint_insights_prints_every_figure_and_writes_csv(history: dict[str, Case], tmp_path: Any) -> None:
    from io import StringIO

    from django.core.management import CommandError, call_command

    out = StringIO()
    with at(NOW):
        call_command("insights", "--only", "exceptions_by_cause", "--only", "pile_ups", stdout=out)
    printed = out.getvalue()
    assert "Exceptions by cause" in printed and "Where cases pile up" in printed and "Time in each state" not in printed
    assert "mini-repair  We are looking into it  not sent      1" in printed
    with at(NOW):
        call_command("insights", "--csv", str(tmp_path), "--journey", "mini-repair", stdout=StringIO())
    assert (tmp_path / "pile_ups.csv").read_text().splitlines()[
        0
    ] == "journey,state,label,open,oldest_hours,past_wait_limit"
    assert len(list(tmp_path.glob("*.csv"))) == 11  # carrier reliability's too (tests/insights/test_reliability.py)
    with pytest.raises(CommandError, match="no journey is called 'nope'; known journeys: mini-repair"):
        call_command("insights", "--journey", "nope", stdout=StringIO())
    with pytest.raises(CommandError, match="isn't a period"):
        call_command("insights", "--since", "yesterday", stdout=StringIO())


def test_a_figure_with_nothing_to_draw_has_no_chart_only_its_table() -> None:
    empty = Figure("x", "X", "nothing yet", ("label", "hours"), [("Order received", None)], Chart(label=(0,), value=1))
    assert bar_chart(empty) is None


def test_a_long_label_wraps_in_full_and_labels_two_journeys_share_say_which() -> None:
    # Given the same state label in two journeys, and a label longer than a line
    long = "Waiting for the customer to choose between a repair, a refund or a replacement"
    figure = Figure(
        "x",
        "X",
        "what",
        ("journey", "state", "label", "open"),
        [
            ("mail-in-repair", "paying", "Awaiting payment", 3),
            ("order-problem", "paying", "Awaiting payment", 1),
            ("mail-in-repair", "choosing", long, 2),
        ],
        Chart(label=(2,), value=3),
    )
    labels = row_labels(figure, journey_titles={"mail-in-repair": "Mail-in repair", "order-problem": "Order problem"})
    assert labels == ["Mail-in repair: Awaiting payment", "Order problem: Awaiting payment", long]
    chart = bar_chart(figure, labels=labels)
    assert chart is not None
    wrapped = chart.bars[2].lines
    assert " ".join(line.text for line in wrapped) == long and len(wrapped) == 2
    assert wrapped[1].y - wrapped[0].y == 16
