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
from touchpoint.journeys import Actor, Advanced, Journey, State, advance, valid_events
from touchpoint.staff.models import StaffUser


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
    open_tasks: list[Task]
    handoff_waiting: bool
    may_accept: bool
    may_assign: bool
    assignable: list[StaffUser]
    context: CustomerContext
    templates: list[tuple[str, str]]  # (touch point key, what it says) for the reply form


def _actor_name(entry: TimelineEntry) -> str:
    if entry.actor_user is not None:
        return str(entry.actor_user)
    return {"timer": "wait limit", "system": "Touchpoint", "customer": "customer", "carrier": "carrier"}.get(
        entry.actor_kind, entry.actor_kind
    )


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


def case_view(*, reference: str, user: StaffUser) -> CaseView | None:
    """The page for case ``reference`` as ``user`` sees it, or ``None`` when there is no such case."""
    from touchpoint.inbox.models import InboundMessage
    from touchpoint.outbox.models import OutboxMessage

    case = Case.objects.select_related("journey", "customer", "assignee").filter(reference=reference).first()
    if case is None:
        return None
    journey = journey_of(case.journey)
    state = journey.states[case.state]
    teams = frozenset(user.teams.values_list("slug", flat=True))
    actor = journey_actor(user, teams)

    entries = list(TimelineEntry.objects.filter(case=case).select_related("actor_user").order_by("-seq"))
    messages = {m.pk: m for m in OutboxMessage.objects.filter(case=case).order_by("-created_at", "-pk")}
    inbound = {
        m.pk: m
        for m in InboundMessage.objects.filter(case=case).only(
            "pk", "subject", "reply_text", "text", "sentiment", "received_at", "from_email", "case_id"
        )
    }
    tasks = list(Task.objects.filter(case=case, status=TaskStatus.OPEN).order_by("priority", "due_at", "pk"))
    accept_pending = Timer.objects.filter(
        case=case, purpose="accept", status=TimerStatus.PENDING, state_seq=case.state_seq
    ).exists()
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
        timeline=_timeline(entries, messages, inbound),
        open_tasks=tasks,
        handoff_waiting=handoff_waiting,
        may_accept=may_accept,
        may_assign=assigning,
        assignable=assignable_staff(case=case) if assigning else [],
        context=customer_context(customer=case.customer, exclude_case=case),
        templates=sorted(journey.touchpoints.items()),
    )


def _message_view(message: Any, *, personal: bool = False, template: str = "", tone: str = "") -> MessageView:
    return MessageView(
        subject=message.subject,
        tone=message.tone or tone,
        automated=not personal,
        template=message.touchpoint or template,
        status=message.status,
        status_label=message.get_status_display(),
        recipient=message.recipient,
        body=message.body_text,
    )


def _timeline(entries: list[TimelineEntry], messages: dict[int, Any], inbound: dict[int, Any]) -> list[TimelineItem]:
    """Entries, outgoing messages and customer messages as one list, newest first."""
    items: list[TimelineItem] = []
    shown_messages: set[int] = set()
    for entry in entries:
        detail = entry.detail or {}
        item = TimelineItem(
            at=entry.at,
            kind=entry.kind,
            event=entry.event,
            actor=_actor_name(entry),
            summary=entry.summary,
            internal=entry.kind == TimelineKind.NOTE and entry.event in (NOTE_EVENT, ASSIGN_EVENT),
            note=str(detail.get("text", "")) if entry.event == NOTE_EVENT else "",
            sort=(entry.at, 1, entry.seq),
        )
        message_id = detail.get("message")
        if isinstance(message_id, int) and message_id in messages:
            shown_messages.add(message_id)
            reply = entry.event == REPLY_EVENT
            item.message = _message_view(
                messages[message_id],
                personal=reply and bool(detail.get("personal")),
                template=str(detail.get("template", "")) if reply else "",
                tone=str(detail.get("tone", "")) if reply else "",
            )
        inbound_id = detail.get("inbound")
        if isinstance(inbound_id, int) and inbound_id in inbound:
            found = inbound.pop(inbound_id)
            item.inbound = InboundView(found.subject, found.reply_text or found.text, found.sentiment)
        items.append(item)
    for pk, message in messages.items():
        if pk in shown_messages:
            continue
        kind = "touch point" if message.touchpoint else "notice"
        items.append(
            TimelineItem(
                at=message.created_at,
                kind="message",
                event=message.touchpoint,
                actor="Touchpoint",
                summary=f"Message sent ({kind}): {message.subject}",
                message=_message_view(message),
                sort=(message.created_at, 0, pk),
            )
        )
    for found in inbound.values():
        items.append(
            TimelineItem(
                at=found.received_at,
                kind="message",
                event="customer_message",
                actor=found.from_email or "customer",
                summary=f"Customer wrote: {found.subject}",
                inbound=InboundView(found.subject, found.reply_text or found.text, found.sentiment),
                sort=(found.received_at, 0, -found.pk),
            )
        )
    items.sort(key=lambda i: i.sort, reverse=True)
    return items
