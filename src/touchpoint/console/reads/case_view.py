"""Everything the staff case view shows, read in a fixed number of queries whatever the case's history.

The case (with journey, customer and assignee), the user's teams, the team names, the outgoing and
incoming messages, the files the customer sent (only when they wrote), the open tasks, whether a
handoff waits to be accepted (only in a state with ``accept_within``), the timeline (with its
authors), who the case can be given to (only for someone who may), the catalog's names for the
device and problem told at intake, and the customer context card (three).

Everything a person reads is in words: event labels from the journey, owners as team names, intake
fields by their declared meaning. No internal key (``box_not_delivered``, ``team:care``) is shown."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache, lru_cache
from typing import Any

from django.db.models import QuerySet, Value
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.text import Truncator

from touchpoint.cases.journeys import journey_of, journey_parsed
from touchpoint.cases.models import Case, Task, TaskKind, TaskStatus, Timer, TimerStatus
from touchpoint.cases.services.assign import assignable_staff, is_lead, may_assign
from touchpoint.catalog.models import NOT_SURE, DeviceModel, Problem
from touchpoint.console.panels import Seen
from touchpoint.console.reads.actions import Action, actions_for, journey_actor, manual_actions_for
from touchpoint.console.reads.kept import KeptTimeline, Marks, kept_card, kept_timeline
from touchpoint.console.reads.when import When
from touchpoint.console.words import OUTCOME_WORDS, choice_words, field_label, summary_words
from touchpoint.core.money import money_text
from touchpoint.core.sql import case_marks
from touchpoint.inbox.models import InboundAttachment
from touchpoint.inbox.photos import FORMATS
from touchpoint.journeys import Journey, State
from touchpoint.journeys.data import ADDRESS_PARTS
from touchpoint.shop.selectors import shop_currency
from touchpoint.staff.models import StaffUser
from touchpoint.staff.selectors import owner_words, team_names, teams_of

PHOTO_TYPES = frozenset(content_type for content_type, _ in FORMATS.values())
# Fields whose value is a catalog slug, and how to read it: the journey stores `nano-4g`, people read
# "Nano Player 4G".
CATALOG_FIELDS = ("model", "problem")


@dataclass(frozen=True, slots=True)
class Fact:
    """One thing the customer told us at intake: the field's meaning in words, and its value formatted
    by its type (an address as lines)."""

    name: str
    label: str
    value: str
    lines: tuple[str, ...] = ()
    empty: bool = False


@dataclass(frozen=True, slots=True)
class SentFile:
    """A photo or attachment the customer sent on this case, served only to staff under this case."""

    pk: int
    filename: str
    content_type: str
    size: int
    when: When
    photo: bool


@dataclass(frozen=True, slots=True)
class OpenTask:
    kind: str
    kind_label: str
    title: str  # by the journey's words, never its keys
    owner: str
    owner_label: str
    priority: int
    due: When | None
    source_key: str


@dataclass(frozen=True)
class CaseView:
    case: Case
    journey: Journey
    state: State
    actions: list[Action]
    manual: list[Action]  # carrier's and system's steps this person may record by hand
    timeline: KeptTimeline  # drawn, kept between requests under the case's marks (console/reads/kept.py)
    open_tasks: list[OpenTask]
    handoff_waiting: bool
    may_accept: bool
    may_assign: bool
    assignable: list[StaffUser]
    card: (
        SafeString  # the customer card drawn, kept between requests under the customer's marks (console/reads/kept.py)
    )
    templates: list[tuple[str, str]]  # (touch point key, what it says, cut to a line) for the reply form
    told: list[Fact]  # what the customer told us at intake
    files: list[SentFile]
    owner_label: str  # who must act now, in words
    team_names: dict[str, str] = field(default_factory=dict)
    wrote: bool = False  # the customer wrote on the case (an email, a message on their page)

    @property
    def seen(self) -> Seen:
        """What the panels' gates need, from what this view read anyway (console/panels.py)."""
        return Seen(events=self.timeline.events, wrote=self.wrote)

    @property
    def timeout_label(self) -> str:
        """What the wait limit does here, in the journey's words (empty when nothing waits)."""
        return self.journey.event_label(self.state.on_timeout) if self.state.on_timeout else ""

    @property
    def outcome_label(self) -> str:
        return OUTCOME_WORDS.get(self.case.outcome, "")


_TASK_KINDS = dict(TaskKind.choices)


@cache
def _case_base() -> QuerySet[Case]:
    # Built once per process and filtered per request, as every read of this page (reads/timeline.py).
    return Case.objects.select_related("journey", "customer", "assignee").defer(
        "journey__source"  # kilobytes of YAML; journey_of parses it once per process
    )


def _marks(case: Case) -> Marks:
    """The case's marks (console/reads/kept.py): one statement written as SQL (core/sql.py says why)."""
    entries, authors, inbound, outbound, cases, payments, refunds, tasks, feedback, said = case_marks(
        case_id=case.pk, customer_id=case.customer_id
    )
    return Marks(
        entries=entries,
        authors=hashlib.blake2b(authors.encode(), digest_size=8).hexdigest(),
        inbound=inbound,
        outbound=outbound,
        cases=cases,
        payments=payments,
        refunds=refunds,
        tasks=tasks,
        feedback=feedback,
        said=said,
    )


def _case(reference: str) -> Case | None:
    """The case with what the page shows of its journey version, customer and assignee. ``get`` (the
    reference is unique): ``first()`` orders and slices a clone, ~0.3 ms more a page."""
    try:
        return _case_base().get(reference=reference)
    except Case.DoesNotExist:
        return None


def _accept_pending(case: Case) -> bool:
    """Whether the handoff into the case's current state still waits for its new owner to accept."""
    pending = Timer.objects.filter(case_id=case.pk, purpose="accept", status=TimerStatus.PENDING)
    return pending.filter(state_seq=case.state_seq).exists()


@cache
def _catalog_bases() -> tuple[QuerySet[DeviceModel, tuple[str, str]], QuerySet[Problem, tuple[str, str]]]:
    models = DeviceModel.objects.annotate(field=Value("model")).order_by().values_list("field", "name")
    problems = Problem.objects.annotate(field=Value("problem")).order_by().values_list("field", "label")
    return models, problems


def _catalog_names(data: dict[str, Any]) -> dict[str, str]:
    """The catalog's names for the device and the problem the case stores by slug (``model`` →
    "Nano Player 4G"): one statement for both, its two halves built once per process."""
    model, problem = (str(data.get(name) or "") for name in CATALOG_FIELDS)
    models, problems = _catalog_bases()
    return dict(models.filter(slug=model).union(problems.filter(slug=problem), all=True).order_by())


@cache
def _files_base() -> QuerySet[InboundAttachment, tuple[Any, ...]]:
    # Built once per process and filtered per request, as the timeline's reads (reads/timeline.py).
    return InboundAttachment.objects.order_by("message__received_at", "pk").values_list(
        "pk", "filename", "content_type", "size", "message__received_at"
    )


def _files(case_id: int) -> list[SentFile]:
    zone = timezone.get_current_timezone()
    return [
        SentFile(pk, filename, content_type, size, When.of(at, zone), photo=content_type in PHOTO_TYPES)
        for pk, filename, content_type, size, at in _files_base().filter(message__case_id=case_id)
    ]


@cache
def _tasks_base() -> QuerySet[Task, tuple[Any, ...]]:
    return (
        Task.objects.filter(status=TaskStatus.OPEN)
        .order_by("priority", "due_at", "pk")
        .values_list("kind", "title", "owner", "priority", "due_at", "source_key")
    )


def _tasks(case_id: int, journey: Journey, names: dict[str, str]) -> list[OpenTask]:
    zone = timezone.get_current_timezone()
    return [
        OpenTask(
            kind=kind,
            kind_label=str(_TASK_KINDS.get(kind, kind)),
            title=summary_words(journey, names, title),
            owner=owner,
            owner_label=owner_words(owner, names),
            priority=priority,
            due=When.of(due_at, zone) if due_at is not None else None,
            source_key=source_key or "",
        )
        for kind, title, owner, priority, due_at, source_key in _tasks_base().filter(case_id=case_id)
    ]


def case_view(*, reference: str, user: StaffUser) -> CaseView | None:
    """The page for case ``reference`` as ``user`` sees it, or ``None`` when there is no such case."""
    case = _case(reference)
    if case is None:
        return None
    journey = journey_of(case.journey)
    state = journey.states[case.state]
    teams = teams_of(user)
    actor = journey_actor(user, teams)
    names = team_names()
    marks = _marks(case)
    zone = timezone.get_current_timezone()
    tasks = _tasks(case.pk, journey, names)
    # Only a state with `accept_within` starts an acceptance timer (journeys.engine): elsewhere, no query.
    accept_pending = case.is_open and state.accept_within is not None and _accept_pending(case)
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
        timeline=kept_timeline(
            case=case,
            marks=marks,
            journey=journey,
            names=names,
            zone=zone,
        ),
        open_tasks=tasks,
        handoff_waiting=handoff_waiting,
        may_accept=may_accept,
        may_assign=assigning,
        assignable=assignable_staff(case=case) if assigning else [],
        card=kept_card(case=case, marks=marks, currency=shop_currency(), zone=zone),
        templates=reply_choices(case.journey.pk, case.journey.sha256),
        told=told_at_intake(journey, case.data),
        # Files come only with the customer's messages (by email or on their page): none, no query.
        files=_files(case.pk) if marks.inbound else [],
        owner_label=owner_words(case.owner, names),
        team_names=names,
        wrote=bool(marks.inbound),
    )


@lru_cache(maxsize=64)
def reply_choices(version_id: int, sha256: str) -> list[tuple[str, str]]:
    """A journey version's persona messages for the reply form, each by what it says (never its key),
    cut to a line, in alphabetical order. Worked out once per version and process: a version's touch
    points never change, and its content hash is in the key."""
    journey = journey_parsed(version_id, sha256)
    ordered = sorted(journey.touchpoints.items(), key=lambda item: item[1].lower())
    return [(name, Truncator(words).chars(90)) for name, words in ordered]


def told_at_intake(journey: Journey, data: dict[str, Any]) -> list[Fact]:
    """What the customer told us when the case opened: each ``intake`` field the journey declares, by
    its meaning, formatted by its type; a device or problem stored by its catalog slug by the catalog's
    name for it (one query for both, none for a journey that asks for neither). A journey without
    declarations shows nothing."""
    fields = [(name, declared) for name, declared in journey.data.items() if declared.intake]
    asked = any(name in CATALOG_FIELDS and data.get(name) for name, _ in fields)
    catalog = _catalog_names(data) if asked else {}
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
        elif name in catalog:
            out.append(Fact(name, label, catalog[name]))
        elif name == "problem" and value == NOT_SURE:
            out.append(Fact(name, label, "Not sure what's wrong"))
        else:
            out.append(Fact(name, label, str(value)))
    return out


def _money(value: Any) -> str:
    try:
        return money_text(Decimal(str(value)), shop_currency())
    except (InvalidOperation, ValueError):
        return str(value)
