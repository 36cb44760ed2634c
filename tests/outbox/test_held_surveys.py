"""Never ask how we did after a complaint until a person has written: the survey is held with a
task, and a reply in the agent's own words releases it (a persona template does not)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.quotes.repair import crew, repair_case, walk_to
from tests.support.factories import CustomerFactory
from touchpoint.cases.actors import CUSTOMER, staff_actor
from touchpoint.cases.models import Case, Task, TaskKind, TaskStatus
from touchpoint.flows.advance import case_advance
from touchpoint.outbox.models import MessageStatus, OutboxMessage
from touchpoint.outbox.replies import case_reply_send

pytestmark = pytest.mark.django_db


def survey(case: Case) -> OutboxMessage:
    return OutboxMessage.objects.get(case=case, touchpoint="home_safe")


def complained_then_sent_home(customer: Any) -> Case:
    """A complaint while the repaired device waited to be packed, resolved by care, and the device
    sent home and delivered."""
    case = repair_case(customer, "return_to_pack")
    case = case_advance(case=case, event="complaint_raised", actor=CUSTOMER).case
    case = case_advance(case=case, event="resume_trip_home", actor=staff_actor(crew())).case
    return walk_to(case, "feedback_asked")


def test_without_a_complaint_the_survey_goes_out_at_once() -> None:
    case = repair_case(CustomerFactory(), "feedback_asked")
    assert survey(case).status == MessageStatus.PENDING
    assert not Task.objects.filter(case=case, kind=TaskKind.SURVEY_HELD).exists()


def test_after_a_complaint_the_survey_is_held_and_a_person_asked_to_write() -> None:
    case = complained_then_sent_home(CustomerFactory(name="Maya Okafor"))
    assert survey(case).status == MessageStatus.HELD
    task = Task.objects.get(case=case, kind=TaskKind.SURVEY_HELD)
    assert (task.status, task.priority, task.owner) == (TaskStatus.OPEN, 1, "team:care")
    assert task.title == f"{case.reference}: write to Maya personally before we ask how we did"


def test_a_persona_template_does_not_release_it_but_own_words_do() -> None:
    case = complained_then_sent_home(CustomerFactory())
    agent = crew()
    case_reply_send(case=case, author=agent, idempotency_key="t-1", template="still_on_it")
    assert survey(case).status == MessageStatus.HELD
    case.refresh_from_db()
    case_reply_send(case=case, author=agent, idempotency_key="t-2", text="I'm sorry about the wait; it's sorted now.")
    assert survey(case).status == MessageStatus.PENDING
    assert Task.objects.get(case=case, kind=TaskKind.SURVEY_HELD).status == TaskStatus.DONE
    assert case.timeline.filter(event="survey_released").count() == 1


def test_a_personal_message_before_the_survey_lets_it_go_out() -> None:
    case = repair_case(CustomerFactory(), "return_to_pack")
    case = case_advance(case=case, event="complaint_raised", actor=CUSTOMER).case
    case_reply_send(case=case, author=crew(), idempotency_key="p-1", text="Jo here: I've read your complaint.")
    case.refresh_from_db()
    case = case_advance(case=case, event="resume_trip_home", actor=staff_actor(crew())).case
    case = walk_to(case, "feedback_asked")
    assert survey(case).status == MessageStatus.PENDING


def test_a_held_survey_is_never_claimed_for_sending() -> None:
    from touchpoint.outbox.services import claim_due

    case = complained_then_sent_home(CustomerFactory())
    claimed = claim_due(OutboxMessage, due_field="next_attempt_at", worker_id="w", batch=500, lease_seconds=60)
    assert survey(case).pk not in claimed
