"""case_open / case_advance: state, timeline, outbox and timers commit together, or nothing does."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from touchpoint.cases.actors import CARRIER, CUSTOMER, SYSTEM, staff_actor
from touchpoint.cases.errors import CaseConflict, IdempotencyKeyReused, TransitionRefused
from touchpoint.cases.models import Case, Task, TimelineEntry, Timer, TimerStatus
from touchpoint.flows.advance import case_advance, case_open
from touchpoint.outbox.models import OutboxMessage
from touchpoint.staff.models import StaffUser


def snapshot(case: Case) -> dict[str, Any]:
    """Everything a transition could have written, to compare before and after a refusal."""
    case.refresh_from_db()
    return {
        "case": (case.state, case.owner, case.version, case.state_seq, case.outcome, case.data),
        "timeline": list(TimelineEntry.objects.filter(case=case).values_list("seq", "event")),
        "outbox": list(OutboxMessage.objects.filter(case=case).values_list("id", "status")),
        "timers": list(Timer.objects.filter(case=case).values_list("id", "status")),
        "tasks": list(Task.objects.filter(case=case).values_list("id", "status")),
    }


def test_opening_a_case_writes_the_case_its_timeline_and_its_wait_timer(new_case: Case) -> None:
    # given a case opened on the mini journey (fixture)
    # then it sits in the start state with one timeline entry and the start state's wait timer
    assert new_case.reference.startswith("TP-") and len(new_case.reference) == 8
    assert (new_case.state, new_case.owner, new_case.version, new_case.state_seq) == ("ordered", "system", 1, 1)
    entries = list(TimelineEntry.objects.filter(case=new_case).values_list("seq", "kind", "event", "to_state"))
    assert entries == [(1, "opened", "opened", "ordered")]
    timer = Timer.objects.get(case=new_case)
    assert (timer.purpose, timer.event, timer.state, timer.status) == ("wait", "payment_timeout", "ordered", "pending")
    assert timer.due_at - new_case.opened_at == timedelta(hours=1)
    assert OutboxMessage.objects.filter(case=new_case).count() == 0


def test_an_allowed_event_moves_the_case_and_writes_every_effect_once(new_case: Case) -> None:
    # when payment arrives
    result = case_advance(case=new_case, event="payment_received", actor=SYSTEM, idempotency_key="pay-1")
    # then the case moved, with one new timeline entry, one message and a fresh wait timer
    case = result.case
    assert (case.state, case.owner, case.version, case.state_seq, result.replayed) == (
        "awaiting_device",
        "customer",
        2,
        2,
        False,
    )
    assert result.entry.seq == 2 and result.entry.summary == (
        "Order received → Waiting for your device (Payment received, by system)"
    )
    message = OutboxMessage.objects.get(case=case)
    assert (message.touchpoint, message.recipient, message.status, message.channel) == (
        "send_device",
        "ian@example.com",
        "pending",
        "email",
    )
    assert message.subject == f"{case.reference}: Paid; how to send the device."
    assert "Waiting for your device" in message.body_text and "Post the device to us." in message.body_text
    timers = list(Timer.objects.filter(case=case).order_by("id").values_list("event", "status", "state_seq"))
    assert timers == [("payment_timeout", "cancelled", 1), ("not_sent", "pending", 2)]


def test_a_repeated_idempotency_key_returns_the_first_result_and_does_nothing_twice(new_case: Case) -> None:
    first = case_advance(case=new_case, event="payment_received", actor=SYSTEM, idempotency_key="evt_123")
    stale_copy = Case.objects.get(pk=new_case.pk)
    stale_copy.version = 1  # a webhook retried with what it read before
    again = case_advance(case=stale_copy, event="payment_received", actor=SYSTEM, idempotency_key="evt_123")
    assert again.replayed is True
    assert again.entry.pk == first.entry.pk
    assert OutboxMessage.objects.filter(case=new_case).count() == 1
    assert TimelineEntry.objects.filter(case=new_case).count() == 2


def test_an_idempotency_key_reused_for_another_event_is_refused(new_case: Case) -> None:
    case_advance(case=new_case, event="payment_received", actor=SYSTEM, idempotency_key="evt_9")
    before = snapshot(new_case)
    with pytest.raises(IdempotencyKeyReused, match="evt_9"):
        case_advance(case=new_case, event="device_arrived", actor=CARRIER, idempotency_key="evt_9")
    assert snapshot(new_case) == before


def test_a_stale_version_is_a_clear_conflict_and_writes_nothing(new_case: Case) -> None:
    # given two people who read the case at version 1
    mine, theirs = Case.objects.get(pk=new_case.pk), Case.objects.get(pk=new_case.pk)
    case_advance(case=theirs, event="payment_received", actor=SYSTEM)
    before = snapshot(new_case)
    # when the second acts on what they read
    with pytest.raises(CaseConflict) as caught:
        case_advance(case=mine, event="payment_timeout", actor=SYSTEM)
    # then they are told plainly, and nothing changed
    assert str(caught.value) == (
        f"{new_case.reference} was changed by someone else while you were looking at it "
        "(you had version 1, it is now 2) — reload the case and try again"
    )
    assert snapshot(new_case) == before


@pytest.mark.parametrize(
    ("event", "actor_name", "code", "reason"),
    [
        (
            "repaired",
            "system",
            "unknown-event",
            "`repaired` can't happen in `ordered` (Order received); allowed: payment_received, payment_timeout",
        ),
        (
            "payment_received",
            "customer",
            "actor-not-allowed",
            "customer may not trigger `payment_received` here; allowed: staff, system",
        ),
    ],
)
def test_an_event_not_allowed_is_refused_with_a_reason_and_changes_nothing(
    new_case: Case, event: str, actor_name: str, code: str, reason: str
) -> None:
    actor = {"system": SYSTEM, "customer": CUSTOMER}[actor_name]
    before = snapshot(new_case)
    with pytest.raises(TransitionRefused) as caught:
        case_advance(case=new_case, event=event, actor=actor, given={"note": "x"})
    assert caught.value.code == code
    assert str(caught.value) == f"{new_case.reference}: {reason}"
    assert snapshot(new_case) == before


def test_a_staff_member_outside_the_team_may_not_act_and_one_inside_may(
    new_case: Case, bench_tech: StaffUser, lead: StaffUser
) -> None:
    case = case_advance(case=new_case, event="payment_received", actor=SYSTEM).case
    case = case_advance(case=case, event="device_arrived", actor=CARRIER).case
    before = snapshot(case)
    with pytest.raises(TransitionRefused, match="may not trigger `repaired`"):
        case_advance(case=case, event="repaired", actor=staff_actor(lead))  # care lead, not bench
    assert snapshot(case) == before
    moved = case_advance(case=case, event="repaired", actor=staff_actor(bench_tech), given={"needs_ok": True})
    assert (moved.case.state, moved.case.data) == (
        "awaiting_ok",
        {"model": "nano-4g", "needs_ok": True, "fixed": False},
    )


def test_reaching_a_terminal_state_closes_the_case_and_leaves_no_pending_timer(new_case: Case) -> None:
    result = case_advance(case=new_case, event="payment_timeout", actor=SYSTEM)
    case = result.case
    assert (case.state, case.outcome, case.closed_at is not None) == ("cancelled", "failure", True)
    assert list(Timer.objects.filter(case=case).values_list("status", flat=True)) == ["cancelled"]
    assert OutboxMessage.objects.get(case=case).tone == "sober"
    with pytest.raises(TransitionRefused, match="the case has ended"):
        case_advance(case=case, event="payment_received", actor=SYSTEM)


def test_entering_an_exception_opens_a_task_for_the_team(new_case: Case) -> None:
    case = case_advance(case=new_case, event="payment_received", actor=SYSTEM).case
    case = case_advance(case=case, event="not_sent", actor=SYSTEM).case
    tasks = list(Task.objects.filter(case=case).order_by("kind").values_list("kind", "owner", "priority", "title"))
    assert tasks == [
        ("exception", "team:care", 1, f"{case.reference}: We are looking into it"),
        ("handoff", "team:care", 2, f"{case.reference}: accept: We are looking into it"),
    ]
    assert set(Timer.objects.filter(case=case, status=TimerStatus.PENDING).values_list("purpose", "event")) == {
        ("wait", "give_up"),
        ("accept", ""),
    }


def test_a_failure_while_writing_effects_rolls_back_the_whole_transition(
    new_case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given rendering the touch point fails half-way through the transaction
    def broken(**kwargs: Any) -> None:
        raise RuntimeError("template exploded")

    monkeypatch.setattr("touchpoint.flows.advance.touchpoint_enqueue", broken)
    before = snapshot(new_case)
    with pytest.raises(RuntimeError, match="template exploded"):
        case_advance(case=new_case, event="payment_received", actor=SYSTEM)
    # then the state change, its timeline entry and its timer changes are all gone too
    assert snapshot(new_case) == before


def test_timeline_entries_are_append_only(new_case: Case) -> None:
    entry = TimelineEntry.objects.get(case=new_case)
    entry.summary = "rewritten history"
    with pytest.raises(TypeError, match="append-only"):
        entry.save()
    with pytest.raises(TypeError, match="append-only"):
        TimelineEntry.objects.filter(case=new_case).update(summary="x")
    with pytest.raises(TypeError, match="append-only"):
        TimelineEntry.objects.filter(case=new_case).delete()
    assert TimelineEntry.objects.get(case=new_case).summary == "Case opened on mini-repair (version 1): Order received"


def test_opening_with_the_same_idempotency_key_opens_one_case(mini_journey: Any, customer: Any) -> None:
    intake = {"model": "nano-4g"}
    first = case_open(journey="mini-repair", customer=customer, actor=SYSTEM, data=intake, idempotency_key="order-77")
    second = case_open(journey="mini-repair", customer=customer, actor=SYSTEM, data=intake, idempotency_key="order-77")
    assert (second.replayed, second.case.pk) == (True, first.case.pk)
    assert Case.objects.count() == 1


def test_leaving_a_state_settles_the_tasks_about_it(new_case: Case, lead: StaffUser) -> None:
    # given a case in an exception, with its exception and handoff tasks open
    case = case_advance(case=new_case, event="payment_received", actor=SYSTEM).case
    case = case_advance(case=case, event="not_sent", actor=SYSTEM).case
    assert Task.objects.filter(case=case, status="open").count() == 2
    # when the care team resolves it by moving the case on
    case = case_advance(case=case, event="give_up", actor=staff_actor(lead)).case
    # then those tasks are closed by that person, and nothing else is left open
    assert list(Task.objects.filter(case=case).values_list("status", "closed_by")) == [
        ("done", lead.pk),
        ("done", lead.pk),
    ]


# --- case data, as the journey declares it ---------------------------------------------------


def test_a_case_opens_with_its_intake_and_the_journeys_initial_values(new_case: Case) -> None:
    assert new_case.data == {"model": "nano-4g", "needs_ok": False, "fixed": False}
    assert Case.objects.get(pk=new_case.pk).data == new_case.data


@pytest.mark.parametrize(
    ("intake", "reason"),
    [
        ({}, "intake must give `model` for mini-repair@1"),
        (
            {"model": "nano-4g", "colour": "red"},
            "`colour` is not case data of mini-repair@1 (it declares: model, needs_ok, fixed)",
        ),
        ({"model": "nano-4g", "needs_ok": True}, "`needs_ok` is not gathered at intake in mini-repair@1"),
        ({"model": 4}, "`model` expected text"),
    ],
)
def test_intake_that_doesnt_fit_the_journey_opens_nothing(
    mini_journey: Any, customer: Any, intake: dict[str, Any], reason: str
) -> None:
    with pytest.raises(TransitionRefused) as caught:
        case_open(journey="mini-repair", customer=customer, actor=SYSTEM, data=intake, idempotency_key="order-1")
    assert (caught.value.code, str(caught.value)) == ("bad-input", f"mini-repair@1: {reason}")
    assert (Case.objects.count(), TimelineEntry.objects.count(), OutboxMessage.objects.count()) == (0, 0, 0)


def on_bench(new_case: Case) -> Case:
    case = case_advance(case=new_case, event="payment_received", actor=SYSTEM).case
    return case_advance(case=case, event="device_arrived", actor=CARRIER).case


@pytest.mark.parametrize(
    ("given", "code", "reason"),
    [
        (
            None,
            "missing-input",
            "`repaired` needs `needs_ok` (The bench found extra work that needs the customer's OK.)",
        ),
        ({"needs_ok": "perhaps"}, "bad-input", "`needs_ok` expected yes or no (true or false)"),
        ({"needs_ok": False, "fixed": True}, "bad-input", "`repaired` doesn't take `fixed`; it takes `needs_ok`"),
    ],
)
def test_a_value_the_move_doesnt_ask_for_or_cant_hold_is_refused_and_changes_nothing(
    new_case: Case, bench_tech: StaffUser, given: dict[str, Any] | None, code: str, reason: str
) -> None:
    case = on_bench(new_case)
    before = snapshot(case)
    with pytest.raises(TransitionRefused) as caught:
        case_advance(case=case, event="repaired", actor=staff_actor(bench_tech), given=given)
    assert (caught.value.code, str(caught.value)) == (code, f"{case.reference}: {reason}")
    assert snapshot(case) == before


def test_the_move_writes_the_asked_value_and_its_sets_with_the_step(new_case: Case, bench_tech: StaffUser) -> None:
    case = on_bench(new_case)
    # The bench says no OK is needed, typed as a form sends it: the journey checks and stores it,
    # and the move's own `sets` marks the device fixed, in the same commit as the step
    moved = case_advance(case=case, event="repaired", actor=staff_actor(bench_tech), given={"needs_ok": "no"})
    assert (moved.case.state, moved.case.data) == ("shipped", {"model": "nano-4g", "needs_ok": False, "fixed": True})
    assert Case.objects.get(pk=case.pk).data == moved.case.data
    assert moved.entry.detail["data"] == {"needs_ok": False, "fixed": True}
    # and the guard that reads `fixed` lets it home
    home = case_advance(case=moved.case, event="delivered", actor=CARRIER).case
    assert (home.state, home.outcome) == ("done", "success")
