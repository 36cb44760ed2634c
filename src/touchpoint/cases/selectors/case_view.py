"""Everything the staff case view shows, read in a fixed number of queries whatever the case's history.

The case (with journey, customer, assignee), the user's teams, the timeline (with its authors), the
outgoing and incoming messages, the open tasks, the pending acceptance deadline, who the case can be
given to, and the customer context card."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from touchpoint.cases.actors import ROLES
from touchpoint.cases.journeys import journey_of
from touchpoint.cases.models import Case, Task, TaskKind, TaskStatus, TimelineEntry, TimelineKind, Timer, TimerStatus
from touchpoint.cases.selectors.context import CustomerContext, customer_context
from touchpoint.cases.services.assign import ASSIGN_EVENT, assignable_staff, is_lead, may_assign
from touchpoint.cases.services.notes import NOTE_EVENT
from touchpoint.cases.services.replies import REPLY_EVENT
from touchpoint.core.reads import Read, ReadInstances, Row
from touchpoint.journeys import Actor, Advanced, Journey, State, advance, valid_events
from touchpoint.staff.models import StaffUser
from touchpoint.staff.selectors import teams_of


@dataclass(frozen=True)
class Action:
    """One button: an event the journey allows this user now, and where it leads."""

    event: str
    target: str
    target_label: str

    @property
    def label(self) -> str:
        return self.event.replace("_", " ").capitalize()


@dataclass(frozen=True)
class MessageView:
    subject: str
    tone: str
    automated: bool  # a touch point (journey or persona template) rather than a person's own words
    template: str
    status: str
    status_label: str
    recipient: str
    body: str


@dataclass(frozen=True)
class InboundView:
    subject: str
    text: str
    sentiment: float | None


@dataclass
class TimelineItem:
    at: datetime
    kind: str  # opened | transition | note | task | delivery | message
    event: str
    actor: str
    summary: str
    internal: bool = False
    note: str = ""
    message: MessageView | None = None
    inbound: InboundView | None = None
    sort: tuple[Any, ...] = field(default=())


@dataclass(frozen=True)
class CaseView:
    case: Case
    journey: Journey
    state: State
    actions: list[Action]
    timeline: list[TimelineItem]
    open_tasks: list[OpenTask]
    handoff_waiting: bool
    may_accept: bool
    may_assign: bool
    assignable: list[StaffUser]
    context: CustomerContext
    templates: list[tuple[str, str]]  # (touch point key, what it says) for the reply form


_ACTOR_KINDS = {"timer": "wait limit", "system": "Touchpoint", "customer": "customer", "carrier": "carrier"}


def _actor_name(kind: str, first: str | None, last: str | None, username: str | None) -> str:
    """Who wrote an entry: a person as ``str(StaffUser)`` would say it, else what kind of actor."""
    if username is not None:
        return f"{first or ''} {last or ''}".strip() or username
    return _ACTOR_KINDS.get(kind, kind)


# Events that carry a record of their own (the quote and its lines), taken through the quote
# panel: a bare button would move the case while the quote said otherwise.
PANEL_EVENTS = frozenset({"diagnosed", "quote_revised", "quote_approved", "quote_declined"})


def actions_for(*, journey: Journey, case: Case, actor: Actor) -> list[Action]:
    """The journey's valid events for this state, data and actor, each with its target, except
    those another panel on the page takes (:data:`PANEL_EVENTS`)."""
    out = []
    for event in valid_events(journey, state=case.state, data=case.data, actor=actor):
        if event in PANEL_EVENTS:
            continue
        result = advance(journey, state=case.state, event=event, data=case.data, actor=actor)
        if isinstance(result, Advanced):
            out.append(Action(event, result.target, journey.states[result.target].label))
    return out


def journey_actor(user: StaffUser, team_slugs: frozenset[str]) -> Actor:
    """How the journey sees ``user`` (the same as ``staff_actor(user).for_journey()``, teams read once)."""
    return Actor("staff", role=ROLES.get(user.role), teams=team_slugs)


@dataclass(frozen=True)
class OpenTask:
    kind: str
    title: str
    owner: str
    priority: int
    due_at: datetime | None
    source_key: str

    def get_kind_display(self) -> str:
        return str(TaskKind(self.kind).label)


# The page's reads, compiled once per connection (touchpoint.core.reads): only the columns shown,
# each table read once whatever the case's history.
_CASE = ReadInstances(
    Case,
    lambda reference: Case.objects.filter(reference=reference),
    str,
    related=("journey", "customer", "assignee"),
    defer=("journey__source",),  # kilobytes of YAML; journey_of parses it once per process
)
_ENTRIES = Read(
    lambda case_id: TimelineEntry.objects.filter(case_id=case_id)
    .order_by("-seq")
    .values_list(
        "seq", "at", "kind", "event", "summary", "detail", "actor_kind",
        "actor_user__first_name", "actor_user__last_name", "actor_user__username",
    ),
    int,
)  # fmt: skip
_MESSAGES = Read(
    lambda case_id: (
        _outbox()
        .objects.filter(case_id=case_id)
        .order_by("-created_at", "-pk")
        .values_list("pk", "subject", "tone", "touchpoint", "status", "recipient", "body_text", "created_at")
    ),
    int,
)
_INBOUND = Read(
    lambda case_id: (
        _inbox()
        .objects.filter(case_id=case_id)
        .order_by("pk")
        .values_list("pk", "subject", "reply_text", "text", "sentiment", "received_at", "from_email")
    ),
    int,
)
_TASKS = Read(
    lambda case_id: (
        Task.objects.filter(case_id=case_id, status=TaskStatus.OPEN)
        .order_by("priority", "due_at", "pk")
        .values_list("kind", "title", "owner", "priority", "due_at", "source_key")
    ),
    int,
)
_ACCEPT_TIMER = Read(
    lambda case_id, state_seq: Timer.objects.filter(
        case_id=case_id, purpose="accept", status=TimerStatus.PENDING, state_seq=state_seq
    ).values_list("pk")[:1],
    int,
    int,
)


def _outbox() -> Any:
    from touchpoint.outbox.models import OutboxMessage

    return OutboxMessage


def _inbox() -> Any:
    from touchpoint.inbox.models import InboundMessage

    return InboundMessage


def case_view(*, reference: str, user: StaffUser) -> CaseView | None:
    """The page for case ``reference`` as ``user`` sees it, or ``None`` when there is no such case."""
    found = _CASE(reference)
    case = found[0] if found else None
    if case is None:
        return None
    journey = journey_of(case.journey)
    state = journey.states[case.state]
    teams = teams_of(user)
    actor = journey_actor(user, teams)
    messages = {row[0]: row for row in _MESSAGES(case.pk)}
    inbound = {row[0]: row for row in _INBOUND(case.pk)}
    tasks = [OpenTask(*row) for row in _TASKS(case.pk)]
    # Only a state with `accept_within` starts an acceptance timer (journeys.engine): elsewhere, no query.
    accept_pending = case.is_open and state.accept_within is not None and bool(_ACCEPT_TIMER(case.pk, case.state_seq))
    handoff_key = f"{case.pk}:{case.state_seq}:handoff"
    handoff_waiting = case.is_open and (
        accept_pending or any(t.kind == TaskKind.HANDOFF and t.source_key == handoff_key for t in tasks)
    )
    team = case.owner[5:] if case.owner.startswith("team:") else None
    may_accept = handoff_waiting and team is not None and (team in teams or is_lead(user))
    assigning = may_assign(user=user, case=case, team_slugs=teams)

    return CaseView(
        case=case,
        journey=journey,
        state=state,
        actions=actions_for(journey=journey, case=case, actor=actor) if case.is_open else [],
        timeline=_timeline(_ENTRIES(case.pk), messages, inbound),
        open_tasks=tasks,
        handoff_waiting=handoff_waiting,
        may_accept=may_accept,
        may_assign=assigning,
        assignable=assignable_staff(case=case) if assigning else [],
        context=customer_context(customer=case.customer, exclude_case=case),
        templates=sorted(journey.touchpoints.items()),
    )


def _message_view(row: Row, *, personal: bool = False, template: str = "", tone: str = "") -> MessageView:
    _pk, subject, own_tone, touchpoint, status, recipient, body, _at = row
    return MessageView(
        subject=subject,
        tone=own_tone or tone,
        automated=not personal,
        template=touchpoint or template,
        status=status,
        status_label=_status_label(status),
        recipient=recipient,
        body=body,
    )


def _status_label(status: str) -> str:
    from touchpoint.outbox.models import MessageStatus

    return str(MessageStatus(status).label) if status in MessageStatus.values else status


def _inbound_view(row: Row) -> InboundView:
    _pk, subject, reply_text, text, sentiment, _at, _sender = row
    return InboundView(subject, reply_text or text, sentiment)


def _timeline(entries: list[Row], messages: dict[int, Row], inbound: dict[int, Row]) -> list[TimelineItem]:
    """Entries, outgoing messages and customer messages as one list, newest first."""
    items: list[TimelineItem] = []
    shown_messages: set[int] = set()
    for seq, at, kind, event, summary, detail, actor_kind, first, last, username in entries:
        detail = detail or {}
        item = TimelineItem(
            at=at,
            kind=kind,
            event=event,
            actor=_actor_name(actor_kind, first, last, username),
            summary=summary,
            internal=kind == TimelineKind.NOTE and event in (NOTE_EVENT, ASSIGN_EVENT),
            note=str(detail.get("text", "")) if event == NOTE_EVENT else "",
            sort=(at, 1, seq),
        )
        message_id = detail.get("message")
        if isinstance(message_id, int) and message_id in messages:
            shown_messages.add(message_id)
            reply = event == REPLY_EVENT
            item.message = _message_view(
                messages[message_id],
                personal=reply and bool(detail.get("personal")),
                template=str(detail.get("template", "")) if reply else "",
                tone=str(detail.get("tone", "")) if reply else "",
            )
        inbound_id = detail.get("inbound")
        if isinstance(inbound_id, int) and inbound_id in inbound:
            item.inbound = _inbound_view(inbound.pop(inbound_id))
        items.append(item)
    for pk, message in messages.items():
        if pk in shown_messages:
            continue
        subject, touchpoint, created_at = message[1], message[3], message[7]
        kind = "touch point" if touchpoint else "notice"
        items.append(
            TimelineItem(
                at=created_at,
                kind="message",
                event=touchpoint,
                actor="Touchpoint",
                summary=f"Message sent ({kind}): {subject}",
                message=_message_view(message),
                sort=(created_at, 0, pk),
            )
        )
    for found in inbound.values():
        pk, subject, at, sender = found[0], found[1], found[5], found[6]
        items.append(
            TimelineItem(
                at=at,
                kind="message",
                event="customer_message",
                actor=sender or "customer",
                summary=f"Customer wrote: {subject}",
                inbound=_inbound_view(found),
                sort=(at, 0, -pk),
            )
        )
    items.sort(key=lambda i: i.sort, reverse=True)
    return items
