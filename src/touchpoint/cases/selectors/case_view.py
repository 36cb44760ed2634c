"""Everything the staff case view shows, read in a fixed number of queries whatever the case's history.

The case (with journey, customer, assignee), the user's teams, the timeline (with its authors), the
outgoing and incoming messages, the files the customer sent, the open tasks, the pending acceptance
deadline, who the case can be given to, what the customer told us at intake (with the catalog's names
for their device and problem), and the customer context card.

Everything a person reads is in words: event labels from the journey, owners as team names, intake
fields by their declared meaning. No internal key (``box_not_delivered``, ``team:care``) is shown."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import CharField, Value

from touchpoint.cases.actors import ROLES
from touchpoint.cases.journeys import journey_of
from touchpoint.cases.models import Case, Task, TaskKind, TaskStatus, TimelineEntry, TimelineKind, Timer, TimerStatus
from touchpoint.cases.recording import generic
from touchpoint.cases.selectors.context import CustomerContext, customer_context
from touchpoint.cases.services.assign import ASSIGN_EVENT, assignable_staff, is_lead, may_assign
from touchpoint.cases.services.notes import NOTE_EVENT
from touchpoint.cases.services.replies import REPLY_EVENT
from touchpoint.catalog.models import NOT_SURE, DeviceModel, Problem
from touchpoint.core.reads import Read, ReadInstances, Row
from touchpoint.inbox.photos import FORMATS
from touchpoint.journeys import Actor, Advanced, Journey, State, advance, valid_events
from touchpoint.journeys.data import ADDRESS_PARTS
from touchpoint.journeys.engine import event_asks, manual_actor_kind, manual_events
from touchpoint.payments.money import money
from touchpoint.staff.models import StaffUser
from touchpoint.staff.selectors import owner_words, team_names, teams_of

PHOTO_TYPES = frozenset(content_type for content_type, _ in FORMATS.values())


@dataclass(frozen=True)
class Ask:
    """One value an event asks for (its transitions' ``asks``), typed by the journey's declaration."""

    name: str
    label: str  # short words from the field's meaning
    meaning: str
    type: str  # text | boolean | integer | number | money | choice | address
    choices: tuple[tuple[str, str], ...] = ()  # (value, words) for a choice
    minimum: float | None = None
    maximum: float | None = None


@dataclass(frozen=True)
class Action:
    """One button: an event the journey allows this user now, in words, and where it leads.

    ``manual`` is set for a carrier's or the system's step this person may record by hand (with a
    reason): whose step it is. ``target`` is empty when the values asked for decide where it goes."""

    event: str
    label: str
    target: str
    target_label: str
    asks: tuple[Ask, ...] = ()
    manual: str = ""  # "carrier" | "system" | ""


@dataclass(frozen=True)
class MessageView:
    subject: str
    tone: str
    automated: bool  # a touch point (journey or persona template) rather than a person's own words
    template: str
    template_words: str  # what the persona message says, from the journey's touch points
    status: str
    status_label: str
    recipient: str
    body: str


@dataclass(frozen=True)
class InboundView:
    subject: str
    text: str
    sentiment: float | None
    proof: str = ""  # what showed it comes from the customer, in words (docs/security.md)


@dataclass
class TimelineItem:
    at: datetime
    kind: str  # opened | transition | note | task | delivery | message
    event: str
    actor: str
    summary: str
    internal: bool = False
    note: str = ""
    manual: str = ""  # why a person recorded a carrier's or the system's step by hand
    message: MessageView | None = None
    inbound: InboundView | None = None
    sort: tuple[Any, ...] = field(default=())


@dataclass(frozen=True)
class Fact:
    """One thing the customer told us at intake: the field's meaning in words, and its value formatted
    by its type (an address as lines)."""

    name: str
    label: str
    value: str
    lines: tuple[str, ...] = ()
    empty: bool = False


@dataclass(frozen=True)
class SentFile:
    """A photo or attachment the customer sent on this case, served only to staff under this case."""

    pk: int
    filename: str
    content_type: str
    size: int
    at: datetime
    photo: bool


@dataclass(frozen=True)
class CaseView:
    case: Case
    journey: Journey
    state: State
    actions: list[Action]
    manual: list[Action]  # carrier's and system's steps this person may record by hand
    timeline: list[TimelineItem]
    open_tasks: list[OpenTask]
    handoff_waiting: bool
    may_accept: bool
    may_assign: bool
    assignable: list[StaffUser]
    context: CustomerContext
    templates: list[tuple[str, str]]  # (touch point key, what it says) for the reply form
    told: list[Fact]  # what the customer told us at intake
    files: list[SentFile]
    owner_label: str  # who must act now, in words
    team_names: dict[str, str] = field(default_factory=dict)

    @property
    def timeout_label(self) -> str:
        """What the wait limit does here, in the journey's words (empty when nothing waits)."""
        return self.journey.event_label(self.state.on_timeout) if self.state.on_timeout else ""

    @property
    def outcome_label(self) -> str:
        return OUTCOME_WORDS.get(self.case.outcome, "")


_ACTOR_KINDS = {"timer": "wait limit", "system": "Touchpoint", "customer": "customer", "carrier": "carrier"}
OUTCOME_WORDS = {"success": "ended well", "failure": "ended badly"}


def _actor_name(kind: str, first: str | None, last: str | None, username: str | None) -> str:
    """Who wrote an entry: a person as ``str(StaffUser)`` would say it, else what kind of actor."""
    if username is not None:
        person = f"{first or ''} {last or ''}".strip() or username
        # A carrier's or the system's step a person recorded by hand: both are said.
        return f"{person}, for {_FOR.get(kind, kind)}" if kind in _FOR else person
    return _ACTOR_KINDS.get(kind, kind)


_FOR = {"carrier": "the carrier", "system": "Touchpoint"}


def choice_words(value: str) -> str:
    """A choice's value as people read it: ``wrong_item`` → "Wrong item"."""
    return value.replace("_", " ").strip().capitalize()


def field_label(meaning: str, kind: str) -> str:
    """Short words for a declared field, from its ``meaning``: its first clause that names no key
    ("The customer's own description of the problem (may be empty)." → "The customer's own
    description of the problem"; "Given by the packer with `packed`, the scanned part is the one
    the customer ordered." → "The scanned part is the one the customer ordered"), and for a yes/no
    field the statement it answers ("True when a receipt was found" → "A receipt was found")."""
    clauses = [c.strip().rstrip(".)").strip() for c in _CLAUSE.split(meaning)]
    words = next((c for c in clauses if c and "`" not in c), "") or meaning.rstrip(".")
    if kind == "boolean":
        for lead in ("True when ", "True once ", "True if "):
            if words.startswith(lead):
                words = words[len(lead) :]
                break
    return words[:1].upper() + words[1:]


_CLAUSE = re.compile(r" \(|, |; |: ")
_KEY = re.compile(r"`([a-z][a-z0-9_]*)`")


def keys_in_words(journey: Journey, text: str) -> str:
    """``text`` (a journey author's sentence or the engine's) with each `field` or `event` it names said
    in the journey's words: a field by its meaning, an event by its label."""

    def words(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in journey.data:
            declared = journey.data[name]
            return f"“{field_label(declared.meaning, declared.type)}”"
        if name in journey.events or any(event == name for _, event in journey.index):
            return f"“{journey.event_label(name)}”"
        if name in journey.touchpoints:
            return f"“{journey.touchpoints[name]}”"
        return f"“{name.replace('_', ' ')}”"

    return _KEY.sub(words, text)


_OWNER = re.compile(r"\bteam:([a-z][a-z0-9_-]*)")
_VERSION = re.compile(r"\b([a-z][a-z0-9_-]*)@\d+\b")


def owners_in_words(text: str, names: dict[str, str]) -> str:
    """``text`` with each ``team:<slug>`` said as the team's name."""
    return _OWNER.sub(lambda m: owner_words(m.group(0), names), text)


def summary_words(journey: Journey, names: dict[str, str], text: str) -> str:
    """A stored timeline summary as people read it: a team by its name, a journey by its title, and
    any `key` by the journey's words. (Entries written before the services said it in words keep
    their wording; this reads them without their keys.)"""
    text = owners_in_words(text, names)
    text = _VERSION.sub(lambda m: journey.title or m.group(1) if m.group(1) == journey.name else m.group(0), text)
    return keys_in_words(journey, text)


def asks_of(journey: Journey, *, state: str, event: str) -> tuple[Ask, ...]:
    """The values recording ``event`` in ``state`` asks for, typed by the journey's declarations."""
    out = []
    for name in event_asks(journey, state=state, event=event):
        declared = journey.data.get(name)
        if declared is None:  # an undeclared field is the checker's to report; ask for it as text
            out.append(Ask(name, choice_words(name), name, "text"))
            continue
        out.append(
            Ask(
                name=name,
                label=field_label(declared.meaning, declared.type),
                meaning=keys_in_words(journey, declared.meaning),
                type=declared.type,
                choices=tuple((c, choice_words(c)) for c in declared.choices or ()),
                minimum=declared.min,
                maximum=declared.max,
            )
        )
    return tuple(out)


def _action(journey: Journey, case: Case, event: str, actor: Actor, manual: str = "") -> Action | None:
    asks = asks_of(journey, state=case.state, event=event)
    if asks:
        # Where it goes depends on the values given: name every place it may lead.
        targets = list(dict.fromkeys(journey.transitions[i].to for i in journey.index.get((case.state, event), [])))
        words = " or ".join(journey.states[t].label for t in targets if t in journey.states)
        return Action(event, journey.event_label(event), "", words, asks, manual)
    result = advance(journey, state=case.state, event=event, data=case.data, actor=actor)
    if not isinstance(result, Advanced):
        return None
    return Action(event, journey.event_label(event), result.target, journey.states[result.target].label, (), manual)


def actions_for(*, journey: Journey, case: Case, actor: Actor) -> list[Action]:
    """The journey's valid events for this state, data and actor, each in words with where it leads,
    except those another panel records with their own record (:func:`touchpoint.cases.recording.generic`)."""
    out = []
    for event in valid_events(journey, state=case.state, data=case.data, actor=actor):
        if generic(event) and (action := _action(journey, case, event, actor)) is not None:
            out.append(action)
    return out


def manual_actions_for(*, journey: Journey, case: Case, actor: Actor) -> list[Action]:
    """The carrier's and the system's steps ``actor`` may record by hand now (a lead, or the team that
    owns the state or handed the case to its owner): :func:`touchpoint.journeys.engine.manual_events`."""
    out = []
    for event in manual_events(journey, state=case.state, data=case.data, actor=actor):
        kind = manual_actor_kind(journey, state=case.state, event=event)
        if kind is None or not generic(event):
            continue
        if (action := _action(journey, case, event, Actor(kind), manual=kind)) is not None:
            out.append(action)
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
    owner_label: str = ""

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
        .values_list("pk", "subject", "reply_text", "text", "sentiment", "received_at", "from_email", "proof")
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


_FILES = Read(
    lambda case_id: (
        _attachments()
        .objects.filter(message__case_id=case_id)
        .order_by("message__received_at", "pk")
        .values_list("pk", "filename", "content_type", "size", "message__received_at")
    ),
    int,
)
# The catalog's names for the device and the problem a case stores by slug: one statement for both.
_CATALOG = Read(
    lambda model, problem: (
        DeviceModel.objects.filter(slug=model)
        .order_by()
        .annotate(field=Value("model", output_field=CharField()))
        .values_list("field", "name")
        .union(
            Problem.objects.filter(slug=problem)
            .order_by()
            .annotate(field=Value("problem", output_field=CharField()))
            .values_list("field", "label"),
            all=True,
        )
        .order_by()
    ),
    str,
    str,
)
# Fields whose value is a catalog slug, and how to read it: the journey stores `nano-4g`, people read
# "Nano Player 4G".
CATALOG_FIELDS = ("model", "problem")


def _attachments() -> Any:
    from touchpoint.inbox.models import InboundAttachment

    return InboundAttachment


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
    names = team_names()
    messages = {row[0]: row for row in _MESSAGES(case.pk)}
    inbound = {row[0]: row for row in _INBOUND(case.pk)}
    # Files come only with the customer's messages (by email or on their page): none, no query.
    files = [
        SentFile(pk, filename, content_type, size, at, photo=content_type in PHOTO_TYPES)
        for pk, filename, content_type, size, at in (_FILES(case.pk) if inbound else [])
    ]
    tasks = [
        OpenTask(
            kind,
            summary_words(journey, names, title),  # a task's title by the journey's words, never its keys
            owner,
            priority,
            due_at,
            source_key,
            owner_label=owner_words(owner, names),
        )
        for kind, title, owner, priority, due_at, source_key in _TASKS(case.pk)
    ]
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
        manual=manual_actions_for(journey=journey, case=case, actor=actor) if case.is_open else [],
        timeline=_timeline(_ENTRIES(case.pk), messages, inbound, journey, names),
        open_tasks=tasks,
        handoff_waiting=handoff_waiting,
        may_accept=may_accept,
        may_assign=assigning,
        assignable=assignable_staff(case=case) if assigning else [],
        context=customer_context(customer=case.customer, exclude_case=case),
        templates=sorted(journey.touchpoints.items(), key=lambda item: item[1].lower()),
        told=told_at_intake(journey, case.data),
        files=files,
        owner_label=owner_words(case.owner, names),
        team_names=names,
    )


def told_at_intake(journey: Journey, data: dict[str, Any]) -> list[Fact]:
    """What the customer told us when the case opened: each ``intake`` field the journey declares, by
    its meaning, formatted by its type; a device or problem stored by its catalog slug by the
    catalog's name for it (one query for both). A journey without declarations shows nothing."""
    fields = [(name, declared) for name, declared in journey.data.items() if declared.intake]
    wanted = {name: str(data.get(name) or "") for name in CATALOG_FIELDS if any(n == name for n, _ in fields)}
    names: dict[str, str] = {}
    if any(wanted.values()):
        names = {key: label for key, label in _CATALOG(wanted.get("model", ""), wanted.get("problem", ""))}
    out = []
    for name, declared in fields:
        label = field_label(declared.meaning, declared.type)
        value = data.get(name)
        if value is None or value == "" or value == {}:
            out.append(Fact(name, label, "Not given", empty=True))
        elif declared.type == "boolean":
            out.append(Fact(name, label, "Yes" if value else "No"))
        elif declared.type == "money":
            out.append(Fact(name, label, _money(value)))
        elif declared.type == "choice":
            out.append(Fact(name, label, choice_words(str(value))))
        elif declared.type == "address" and isinstance(value, dict):
            lines = tuple(str(value[part]) for part in ADDRESS_PARTS if value.get(part))
            out.append(Fact(name, label, ", ".join(lines), lines))
        elif name in names:
            out.append(Fact(name, label, names[name]))
        elif name == "problem" and value == NOT_SURE:
            out.append(Fact(name, label, "Not sure what's wrong"))
        else:
            out.append(Fact(name, label, str(value)))
    return out


def _money(value: Any) -> str:
    try:
        return money(Decimal(str(value)))
    except (InvalidOperation, ValueError):
        return str(value)


def _message_view(
    row: Row, journey: Journey, *, personal: bool = False, template: str = "", tone: str = ""
) -> MessageView:
    _pk, subject, own_tone, touchpoint, status, recipient, body, _at = row
    key = touchpoint or template
    return MessageView(
        subject=subject,
        tone=own_tone or tone,
        automated=not personal,
        template=key,
        template_words=journey.touchpoints.get(key, "") if key else "",
        status=status,
        status_label=_status_label(status),
        recipient=recipient,
        body=body,
    )


def _status_label(status: str) -> str:
    from touchpoint.outbox.models import MessageStatus

    return str(MessageStatus(status).label) if status in MessageStatus.values else status


def _inbound_view(row: Row) -> InboundView:
    from touchpoint.inbox.models import Proof

    _pk, subject, reply_text, text, sentiment, _at, _sender, proof = row
    words = str(Proof(proof).label) if proof in Proof.values else proof
    return InboundView(subject, reply_text or text, sentiment, words)


def _timeline(
    entries: list[Row], messages: dict[int, Row], inbound: dict[int, Row], journey: Journey, names: dict[str, str]
) -> list[TimelineItem]:
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
            summary=summary_words(journey, names, summary),
            internal=kind == TimelineKind.NOTE and event in (NOTE_EVENT, ASSIGN_EVENT),
            note=str(detail.get("text", "")) if event == NOTE_EVENT else "",
            manual=str(detail.get("manual") or "") if kind == TimelineKind.TRANSITION else "",
            sort=(at, 1, seq),
        )
        message_id = detail.get("message")
        if isinstance(message_id, int) and message_id in messages:
            shown_messages.add(message_id)
            reply = event == REPLY_EVENT
            item.message = _message_view(
                messages[message_id],
                journey,
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
                message=_message_view(message, journey),
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
