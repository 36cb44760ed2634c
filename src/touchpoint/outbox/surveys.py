"""Never ask how we did after a complaint until a person has written to the customer.

A *survey* is a touch point that takes the case into a state where the customer can give
feedback (the journey accepts ``feedback_given`` there). When the case had a complaint (it went
through a ``complaint`` state or took ``complaint_raised``) and no staff member has written in
their own words since, the survey is written but **held**: not sent, with a task asking the case's
team to write personally first. A reply in own words releases it (:func:`surveys_release`)."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q

from touchpoint.cases.actors import CaseActor
from touchpoint.cases.models import Case, Task, TaskKind, TaskStatus, TimelineEntry, TimelineKind
from touchpoint.cases.services.handoffs import fallback_owner
from touchpoint.cases.services.tasks import task_open
from touchpoint.cases.services.timeline import timeline_append
from touchpoint.core.clock import now
from touchpoint.journeys import Journey
from touchpoint.outbox.models import MessageStatus, OutboxMessage

FEEDBACK_EVENT = "feedback_given"
COMPLAINT = Q(to_state="complaint") | Q(event="complaint_raised")
PERSONAL_REPLY_EVENT = "staff_reply"  # outbox.replies; detail["personal"] is True for own words


def is_survey(journey: Journey, state: str) -> bool:
    return FEEDBACK_EVENT in journey.events_from(state)


def survey_must_wait(*, case: Case) -> bool:
    """True when the case had a complaint and no one has written personally since."""
    complaint = (
        TimelineEntry.objects.filter(COMPLAINT, case=case, kind=TimelineKind.TRANSITION).order_by("-seq").first()
    )
    if complaint is None:
        return False
    replies = TimelineEntry.objects.filter(case=case, event=PERSONAL_REPLY_EVENT, seq__gt=complaint.seq)
    return not any((entry.detail or {}).get("personal") for entry in replies)


def survey_hold(*, case: Case, message: OutboxMessage, at: datetime) -> None:
    """Keep ``message`` (just written, status held) back and ask a person to write first. Call inside
    the transaction that wrote it."""
    task_open(
        kind=TaskKind.SURVEY_HELD,
        owner=fallback_owner(),
        title=f"{case.reference}: write to {case.customer.first_name or 'the customer'} personally "
        "before we ask how we did",
        detail="They complained on this case. The feedback request is held until someone replies in their own words.",
        case=case,
        due_at=at,
        priority=1,
        source_key=f"survey-held:{message.pk}",
    )


def surveys_release(*, case: Case, actor: CaseActor) -> int:
    """Send the case's held surveys now that a person has written; closes their tasks. Call inside
    the transaction that recorded the personal reply. Returns how many were released."""
    at = now()
    released = OutboxMessage.objects.filter(case=case, status=MessageStatus.HELD).update(
        status=MessageStatus.PENDING, next_attempt_at=at
    )
    if released:
        Task.objects.filter(case=case, kind=TaskKind.SURVEY_HELD, status=TaskStatus.OPEN).update(
            status=TaskStatus.DONE, closed_at=at, closed_by=actor.user
        )
        timeline_append(
            case=case,
            kind=TimelineKind.TASK,
            actor=actor,
            at=at,
            event="survey_released",
            summary="The feedback request goes out now that a person has written",
        )
    return released
