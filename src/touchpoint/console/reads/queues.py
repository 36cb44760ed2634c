"""The queues page's read model: which cases a person should look at, most urgent first.

One page costs the same handful of queries however many cases there are, read with the ORM: the
page's cases with ``LIMIT`` (no ``COUNT`` over the whole queue), as plain values; then, as Sentry's
serializers load a page's related rows, one query per kind of related row for the whole page keyed by
its case ids: the pending wait limits (the soonest per case) and the open tasks (a handoff waiting, a
task overdue).

Order: the case that has waited longest in its state first (exceptions have their own queue and
a badge); the at-risk queue puts the soonest wait limit first (overdue at the top).

A search looks across every case (open and ended, whatever queue it was typed in): each row then says
which of the person's queues the case sits in, so a case is found from anywhere.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import F, OuterRef, Q, QuerySet, Subquery

from touchpoint.cases.journeys import journey_parsed
from touchpoint.cases.models import Case, JourneyVersion, Task, TaskKind, TaskStatus, Timer, TimerStatus
from touchpoint.core.ids import normalise_reference
from touchpoint.customers.models import Customer
from touchpoint.journeys import Journey
from touchpoint.shipping.models import Shipment
from touchpoint.staff.models import StaffUser
from touchpoint.staff.selectors import teams_of

QUEUES: dict[str, str] = {
    "mine": "Mine",
    "team": "My team's",
    "exceptions": "Exceptions",
    "handoffs": "Handoffs to accept",
    "at_risk": "At risk",
    "all": "All",
}
STATUSES: dict[str, str] = {"open": "Open", "ended": "Ended", "any": "Open and ended"}
NOBODY = "-"  # the assignee filter's value for "not assigned to anyone"
TIMER_PURPOSES = ("wait", "accept")
REFERENCE = re.compile(r"TP-[0-9A-Z]{5}")
PER_PAGE = 50
SEARCH_CUSTOMERS = 200  # customers a search reads at most, per column it matches


@dataclass(frozen=True)
class QueueQuery:
    """What the person asked for; every field already checked by the caller (a form)."""

    queue: str = "mine"
    search: str = ""
    journey: str = ""  # a journey's name
    state: str = ""
    team: str = ""  # a team's slug
    assignee: str = ""  # a username, or NOBODY
    status: str = ""  # "" means open, unless searching (a reference searched for is found even if ended)

    @property
    def everywhere(self) -> bool:
        """A search looks in every queue, not only the one it was typed in."""
        return bool(self.search)


@dataclass(frozen=True, slots=True)
class QueueCase:
    """What a queue row shows of a case, read as plain values (no model instances: cheaper by half)."""

    pk: int
    reference: str
    state: str
    owner: str
    outcome: str
    state_entered_at: datetime
    journey_id: int
    customer_name: str
    customer_email: str
    assignee: str | None  # username


@dataclass(frozen=True, slots=True)
class QueueRow:
    case: QueueCase
    journey: Journey | None
    state_label: str
    exception: bool
    handoff_waiting: bool
    at_risk: bool
    overdue: bool
    next_due: datetime | None
    queues: tuple[str, ...] = ()  # for a search: the person's queues this case sits in (QUEUES keys)


@dataclass(frozen=True)
class QueuePage:
    rows: list[QueueRow]
    number: int
    has_next: bool
    journeys: dict[str, Journey] = field(default_factory=dict)  # by name, newest version: the filters' choices

    @property
    def has_previous(self) -> bool:
        return self.number > 1


@dataclass(frozen=True)
class _Versions:
    by_pk: dict[int, Journey]
    exception_states: dict[int, list[str]]

    @classmethod
    def load(cls) -> _Versions:
        rows = JourneyVersion.objects.order_by("pk").values_list("pk", "sha256")
        by_pk = {pk: journey_parsed(pk, sha256) for pk, sha256 in rows}
        exceptions = {pk: [n for n, s in j.states.items() if s.exception] for pk, j in by_pk.items()}
        return cls(by_pk, {pk: names for pk, names in exceptions.items() if names})

    def exception_q(self) -> Q:
        q = Q(pk__in=[])
        for pk, names in self.exception_states.items():
            q |= Q(journey_id=pk, state__in=names)
        return q


def at_risk_horizon(now: datetime) -> datetime:
    return now + timedelta(hours=settings.TOUCHPOINT_AT_RISK_HOURS)


def _starts_with(field: str, text: str) -> Q:
    """``field`` starts with ``text``, said as a range so that the column's index answers it on both
    databases (SQLite uses no index for ``LIKE 'x%'`` on a case-sensitive column)."""
    after = text[:-1] + chr(min(ord(text[-1]) + 1, sys.maxunicode))
    return Q(**{f"{field}__gte": text, f"{field}__lt": after})


def _search_q(text: str) -> Q:
    """A reference; else the start of a customer's email, email domain, name or surname
    (case-insensitive), or a tracking number. Each is read through its index, at most
    :data:`SEARCH_CUSTOMERS` customers a column in the index's order (a common surname: its newest
    customers), so a search costs the same however many customers the shop has."""
    reference = normalise_reference(text)
    if REFERENCE.fullmatch(reference):
        return Q(reference=reference)
    key = " ".join(text.lower().split())
    if not key:
        return Q(pk__in=[])
    found = Q(
        pk__in=Shipment.objects.filter(tracking_number__in={text.strip(), text.strip().upper()}).values("case_id")
    )
    for column, start in (
        ("email_key", key),
        ("email_domain_key", key.removeprefix("@")),
        ("name_key", key),
        ("surname_key", key),
    ):
        if not start:
            continue
        customers = Customer.objects.filter(_starts_with(column, start)).order_by(column, "-pk")
        found |= Q(customer_id__in=customers.values("pk")[:SEARCH_CUSTOMERS])
    return found


def queue_cases(
    *,
    user_id: int,
    teams: tuple[str, ...],
    query: QueueQuery,
    now: datetime,
    versions: _Versions | None = None,
    horizon: datetime | None = None,
) -> QuerySet[Case]:
    """The cases in ``query``'s queue for the person ``user_id`` (a member of ``teams``), filtered and
    ordered, not yet read. ``horizon`` is how far ahead "at risk" looks (default: from ``now``)."""
    versions = versions or _Versions.load()
    cases = Case.objects.all()
    status = query.status or ("any" if query.search else "open")
    if status == "open":
        cases = cases.filter(outcome="")
    elif status == "ended":
        cases = cases.exclude(outcome="")
    if query.everywhere:
        pass  # a search finds a case from any queue
    elif query.queue == "mine":
        cases = cases.filter(assignee_id=user_id)
    elif query.queue == "team":
        cases = cases.filter(owner__in=[f"team:{slug}" for slug in teams])
    elif query.queue == "exceptions":
        cases = cases.filter(versions.exception_q())
    elif query.queue == "handoffs":
        waiting = Task.objects.filter(kind=TaskKind.HANDOFF, status=TaskStatus.OPEN, case__isnull=False)
        cases = cases.filter(pk__in=waiting.values("case_id"))
    elif query.queue == "at_risk":
        soon = Timer.objects.filter(
            status=TimerStatus.PENDING, purpose__in=TIMER_PURPOSES, due_at__lte=horizon or at_risk_horizon(now)
        )
        late = Task.objects.filter(status=TaskStatus.OPEN, due_at__lt=now, case__isnull=False)
        cases = cases.filter(Q(pk__in=soon.values("case_id")) | Q(pk__in=late.values("case_id")))
    if query.search:
        cases = cases.filter(_search_q(query.search))
    if query.journey:
        cases = cases.filter(journey_id__in=[pk for pk, j in versions.by_pk.items() if j.name == query.journey])
    if query.state:
        cases = cases.filter(state=query.state)
    if query.team:
        cases = cases.filter(owner=f"team:{query.team}")
    if query.assignee == NOBODY:
        cases = cases.filter(assignee__isnull=True)
    elif query.assignee:
        cases = cases.filter(assignee__username=query.assignee)
    if query.queue == "at_risk" and not query.everywhere:
        next_due = Timer.objects.filter(case=OuterRef("pk"), status=TimerStatus.PENDING, purpose__in=TIMER_PURPOSES)
        cases = cases.annotate(next_due=Subquery(next_due.order_by("due_at").values("due_at")[:1]))
        return cases.order_by(F("next_due").asc(nulls_last=True), "state_entered_at", "pk")
    # Longest in its state first: the (owner|assignee, state_entered_at) indexes give this order
    # without sorting the whole queue.
    return cases.order_by("state_entered_at", "pk")


_COLUMNS = (
    "pk", "reference", "state", "owner", "outcome", "state_entered_at", "journey_id",
    "customer__name", "customer__email", "assignee__username",
)  # fmt: skip


def _page_cases(user: StaffUser, query: QueueQuery, number: int, now: datetime, versions: _Versions) -> list[QueueCase]:
    """One page of the queue's cases, one more to tell whether there is a next page (one query)."""
    offset = (number - 1) * PER_PAGE
    teams = tuple(sorted(teams_of(user))) if query.queue == "team" and not query.everywhere else ()
    cases = queue_cases(user_id=user.pk, teams=teams, query=query, now=now, versions=versions)
    return [QueueCase(*values) for values in cases.values_list(*_COLUMNS)[offset : offset + PER_PAGE + 1]]


def _soonest_limits(ids: list[int]) -> dict[int, datetime]:
    """Each case's soonest pending wait limit or acceptance deadline (one query for the page; a case
    has one or two, so picking the soonest here costs less than asking the database to group)."""
    soonest: dict[int, datetime] = {}
    timers = Timer.objects.filter(case_id__in=ids, status=TimerStatus.PENDING, purpose__in=TIMER_PURPOSES)
    for case_id, due_at in timers.values_list("case_id", "due_at"):
        if case_id not in soonest or due_at < soonest[case_id]:
            soonest[case_id] = due_at
    return soonest


def _open_tasks(ids: list[int], now: datetime) -> tuple[set[int], set[int]]:
    """The page's cases with a handoff waiting, and those with an open task past its due time (one query)."""
    handoff: set[int] = set()
    late: set[int] = set()
    tasks = Task.objects.filter(case_id__in=ids, status=TaskStatus.OPEN).values_list("case_id", "kind", "due_at")
    for case_id, kind, due_at in tasks:
        if kind == TaskKind.HANDOFF:
            handoff.add(case_id)
        if due_at is not None and due_at < now:
            late.add(case_id)
    return handoff, late


def queue_page(*, user: StaffUser, query: QueueQuery, number: int, now: datetime) -> QueuePage:
    """One page of a queue with each row's badges. Queries: the journey versions, the user's teams
    (team queue and searches), the cases, their timers, their open tasks — however long the queue is.
    A search's rows say which of the user's queues each case sits in."""
    versions = _Versions.load()
    cases = _page_cases(user, query, number, now, versions)
    has_next = len(cases) > PER_PAGE
    cases = cases[:PER_PAGE]
    ids = [c.pk for c in cases]
    due = _soonest_limits(ids) if ids else {}
    handoff, late = _open_tasks(ids, now) if ids else (set(), set())
    horizon = at_risk_horizon(now)
    mine = frozenset(f"team:{slug}" for slug in teams_of(user)) if query.everywhere else frozenset()
    rows = []
    for case in cases:
        journey = versions.by_pk.get(case.journey_id)
        state = journey.states.get(case.state) if journey else None
        next_due = due.get(case.pk)
        at_risk = (next_due is not None and next_due <= horizon) or case.pk in late
        exception = bool(state and state.exception)
        sits: tuple[str, ...] = ()
        if query.everywhere and not case.outcome:
            sits = tuple(
                key
                for key, holds in (
                    ("mine", case.assignee == user.username),
                    ("team", case.owner in mine),
                    ("exceptions", exception),
                    ("handoffs", case.pk in handoff),
                    ("at_risk", at_risk),
                    ("all", True),
                )
                if holds
            )
        rows.append(
            QueueRow(
                case=case,
                journey=journey,
                state_label=state.label if state else case.state,
                exception=exception,
                handoff_waiting=case.pk in handoff,
                at_risk=at_risk,
                overdue=(next_due is not None and next_due < now) or case.pk in late,
                next_due=next_due,
                queues=sits,
            )
        )
    newest: dict[str, Journey] = {}
    for journey in versions.by_pk.values():
        if journey.name not in newest or journey.version > newest[journey.name].version:
            newest[journey.name] = journey
    return QueuePage(rows=rows, number=number, has_next=has_next, journeys=newest)
