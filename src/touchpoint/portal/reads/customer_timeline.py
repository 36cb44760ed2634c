"""A case's story as its customer may read it: the steps it reached and the messages we sent.

Built only from two things the customer already knows: the labels of the states the case
entered (the same words as on their page) and the subjects of messages that went out to them.
Internal notes, tasks, staff names, event codes and data never reach it: the entries' summaries
and details are not read at all."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from touchpoint.cases.journeys import journey_of
from touchpoint.cases.models import Case, TimelineEntry, TimelineKind
from touchpoint.outbox.models import MessageStatus, OutboxMessage

Move = tuple[datetime, str]  # (when, the state entered), in the case's order


@dataclass(frozen=True)
class CustomerTimelineItem:
    at: datetime
    kind: Literal["step", "message"]
    text: str
    channel: str = ""  # for messages: email, sms…


def case_moves(*, case: Case) -> list[Move]:
    """When the case entered each state (its opening and every move), oldest first. One query."""
    entries = TimelineEntry.objects.filter(case=case, kind__in=[TimelineKind.OPENED, TimelineKind.TRANSITION])
    return list(entries.order_by("seq").values_list("at", "to_state"))


def customer_timeline(*, case: Case, moves: list[Move] | None = None) -> list[CustomerTimelineItem]:
    """Newest first. Two queries (one when the page has read ``moves`` already); the journey is
    parsed once per process."""
    journey = journey_of(case.journey)
    items: list[CustomerTimelineItem] = []
    previous = ""
    for at, to_state in case_moves(case=case) if moves is None else moves:
        state = journey.states.get(to_state)
        if state is None or state.label == previous:
            continue  # a step the customer would see as the same one (a reminder, a "running late")
        previous = state.label
        items.append(CustomerTimelineItem(at, "step", state.label))
    sent = (
        OutboxMessage.objects.filter(case=case, status=MessageStatus.SENT)
        .order_by("sent_at", "id")
        .values_list("sent_at", "created_at", "subject", "channel")
    )
    prefix = f"{case.reference}: "
    for sent_at, created_at, subject, channel in sent:
        text = subject.removeprefix(prefix).strip() if subject else ""
        items.append(CustomerTimelineItem(sent_at or created_at, "message", text or _untitled(channel), channel))
    # Newest first; at the same moment, a message after the step that caused it, steps in their order.
    order = {id(item): n for n, item in enumerate(items)}
    items.sort(key=lambda item: (item.at, item.kind == "message", order[id(item)]), reverse=True)
    return items


def _untitled(channel: str) -> str:
    return "We sent you a text message" if channel == "sms" else "We sent you a message"
