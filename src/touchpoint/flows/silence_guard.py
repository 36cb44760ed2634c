"""The silence guard: an open case whose customer hasn't heard from us for nearly ``max_silence``
hears from us, whatever the journey's own messages do.

``journey check`` proves the bound from the journey's wait limits and, with the shop's opening hours,
on the calendar; but a bank holiday, a team that keeps a case past its limit's due time or a
journey written before the hours were set can still stretch a silence. The worker's job
(:func:`silence_guard_work`) looks for open cases silent for the journey's bound less a margin
(``journeys.checker.guard_after``: ``max_silence`` less two hours). A case's silence began at its
newest message to the customer (pending or sent: held, cancelled and dead ones never reached
them), else when it opened. Each such case, once per silence:

- in a state a team owns, gets the journey's ``still_on_it`` touch point (a person is on it: that is
  what it says), when the journey has one;
- else (a state the customer, a carrier or the system owns, or no such touch point) the owning team
  (the fallback team for a state no team owns) gets a task to write to the customer before the bound.

The message or task commits with its timeline entry (event ``silence_guard``) in one transaction,
the case's row locked and the silence checked again, so two workers never act twice; the entry's key
(``silence:<case>:<when the silence began>``) makes a second try a no-op. A message ends the silence;
a task doesn't, and the entry, newer than the silence's start, keeps the case out of the next pass."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import DateTimeField, Exists, F, OuterRef, Subquery
from django.db.models.functions import Coalesce

from touchpoint.cases.actors import SYSTEM
from touchpoint.cases.journeys import journey_of
from touchpoint.cases.models import Case, JourneyVersion, TaskKind, TimelineEntry, TimelineKind
from touchpoint.cases.services.handoffs import fallback_owner
from touchpoint.cases.services.tasks import task_open
from touchpoint.cases.services.timeline import timeline_append
from touchpoint.core.clock import now
from touchpoint.journeys import Journey
from touchpoint.journeys.checker import guard_after
from touchpoint.journeys.checker.silence_hours import GUARD_TOUCHPOINT
from touchpoint.journeys.durations import format_duration
from touchpoint.outbox.models import MessageStatus, OutboxMessage
from touchpoint.outbox.services import notice_to_customer
from touchpoint.touchpoints.services import case_message_render

log = logging.getLogger(__name__)

SILENCE_EVENT = "silence_guard"
HEARD = (MessageStatus.PENDING, MessageStatus.SENT)  # what reached the customer, or is on its way


def _silent_cases(version_ids: list[int], cutoff: datetime) -> Any:  # QuerySet[Case] with `silent_since`
    """Open cases of ``version_ids`` silent since ``cutoff`` or before, not yet guarded in this silence,
    each with ``silent_since``. The newest message is read along ``outbox_case_created``."""
    heard = (
        OutboxMessage.objects.filter(case=OuterRef("pk"), status__in=HEARD)
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    guarded = TimelineEntry.objects.filter(case=OuterRef("pk"), event=SILENCE_EVENT, at__gte=OuterRef("silent_since"))
    return (
        Case.objects.filter(journey_id__in=version_ids, outcome="", opened_at__lte=cutoff)
        .annotate(silent_since=Coalesce(Subquery(heard), F("opened_at"), output_field=DateTimeField()))
        .filter(silent_since__lte=cutoff)
        .exclude(Exists(guarded))
    )


# The minute of the clock this process last scanned in. The scan reads every open case's newest
# message: cheap once, not twice a second (the worker's idle pass); the margin is hours, so once a
# minute is plenty. Only this process's pace: any worker scanning is as good as any other.
_scanned: dict[str, datetime] = {}


def silence_guard_forget() -> None:
    """Forget the minute this process last scanned in (tests on frozen clocks, where two tests can
    name the same minute)."""
    _scanned.clear()


def silence_guard_work(*, worker_id: str, batch: int, lease_seconds: float) -> int:
    """The worker's job: guard up to ``batch`` cases silent past their journey's guard time, the
    longest silent first within each journey, at most once a minute. Returns how many were guarded."""
    at = now()
    minute = at.replace(second=0, microsecond=0)
    if _scanned.get("minute") == minute:
        return 0
    _scanned["minute"] = minute
    by_after: dict[int, list[int]] = {}
    for version in JourneyVersion.objects.defer("source"):
        by_after.setdefault(guard_after(journey_of(version)), []).append(version.pk)
    done = 0
    for after, version_ids in sorted(by_after.items()):
        if done >= batch:
            break
        cutoff = at - timedelta(seconds=after)
        due = list(
            _silent_cases(version_ids, cutoff)
            .order_by("silent_since", "pk")
            .values_list("pk", flat=True)[: batch - done]
        )
        for pk in due:
            if _guard(pk=pk, at=at, cutoff=cutoff):
                done += 1
    return done


def _guard(*, pk: int, at: datetime, cutoff: datetime) -> bool:
    """Speak up for case ``pk`` (False when it isn't silent any more, or another worker has it)."""
    try:
        with transaction.atomic():
            case = (
                Case.objects.select_for_update(of=("self",), no_key=True, skip_locked=True)
                .select_related("journey", "customer")
                .filter(pk=pk)
                .first()
            )
            if case is None:
                return False
            found = _silent_cases([case.journey_id], cutoff).filter(pk=pk).values_list("silent_since", flat=True)
            silent_since = found.first()
            if silent_since is None:
                return False  # told meanwhile, closed, or guarded by another worker
            _speak(case=case, journey=journey_of(case.journey), at=at, silent_since=silent_since)
            return True
    except IntegrityError:  # the same silence guarded by a worker that committed first
        return False


def _speak(*, case: Case, journey: Journey, at: datetime, silent_since: datetime) -> None:
    key = f"silence:{case.pk}:{silent_since.isoformat()}"
    state = journey.states.get(case.state)
    team_owned = state is not None and state.team is not None
    silent_for = format_duration(int((at - silent_since).total_seconds()))
    bound = format_duration(journey.max_silence)
    detail = {"silent_since": silent_since.isoformat(), "max_silence": journey.max_silence, "state": case.state}
    if team_owned and GUARD_TOUCHPOINT in journey.touchpoints:
        message = case_message_render(case=case, journey=journey, key=GUARD_TOUCHPOINT)
        rendered = message.rendered
        sent = notice_to_customer(  # by text for a customer who chose texts, as the journey's own would go
            case=case,
            subject=rendered.subject,
            body_text=rendered.text,
            body_html=rendered.html,
            sms=rendered.sms,
            idempotency_key=key,
        )
        # Which touch point and tone it was, as a journey's own message says (the notice leaves them blank)
        OutboxMessage.objects.filter(pk=sent.pk).update(
            touchpoint=GUARD_TOUCHPOINT, tone=message.tone.tone, tone_reason=message.tone.reason[:200]
        )
        timeline_append(
            case=case,
            kind=TimelineKind.DELIVERY,
            actor=SYSTEM,
            at=at,
            event=SILENCE_EVENT,
            summary=f"No word to the customer for {silent_for} (at most {bound}): sent `{GUARD_TOUCHPOINT}`",
            detail={**detail, "message": sent.pk},
            idempotency_key=key,
        )
        log.info("silence guard spoke", extra={"case": case.reference, "silent_for": silent_for})
        return
    owner = state.owner if team_owned and state is not None else fallback_owner()
    deadline = silent_since + timedelta(seconds=journey.max_silence)
    task = task_open(
        kind=TaskKind.EXCEPTION,
        owner=owner,
        title=f"{case.reference}: no word to the customer for {silent_for} — write to them before the {bound} run out",
        case=case,
        detail=(
            f"The customer last heard from us {silent_for} ago; the journey promises at most {bound} "
            f"without a word. Where the case is: {state.label if state is not None else case.state}. "
            "Reply to them from the case page (a persona message or your own words)."
        ),
        due_at=max(deadline, at),
        priority=1,
        source_key=key,
    )
    timeline_append(
        case=case,
        kind=TimelineKind.TASK,
        actor=SYSTEM,
        at=at,
        event=SILENCE_EVENT,
        summary=f"No word to the customer for {silent_for} (at most {bound}): {owner} asked to write",
        detail={**detail, "task": task.pk},
        idempotency_key=key,
    )
    log.info("silence guard opened a task", extra={"case": case.reference, "owner": owner})
