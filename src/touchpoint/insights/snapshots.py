"""The insights and people figures the worker keeps, so each page reads one row whatever the shop's age.

Working the figures out reads every case opened in the window with its timeline, messages, timers,
feedback and remedies: about a second of CPU for the insights page's default 30 days at 15,000
cases in them. So the worker works them out (:func:`snapshots_work`, a job in ``worker/jobs.py``)
and stores one :class:`~touchpoint.insights.models.FigureSnapshot` per page, window and journey,
in the shape the page draws; the pages and the CSV read that row and say when it was worked out.

- **Which**: once a page of a kind has been asked for, every window that page offers
  (:data:`INSIGHTS_DAYS` for each journey and for all; :data:`PEOPLE_DAYS`).
- **When**: again every :data:`REFRESH` of its window (the year is worked out less often: it costs
  the most and moves the least), and at once when it is missing or was stored in an older shape
  (:data:`VERSIONS`; a deploy that changes a shape raises its number).
- **Missing** (the first look, a new journey, a deploy): a window with at most :data:`SMALL` cases
  is worked out there and then, in well under a second, so a new or small shop sees its figures at
  once; a bigger one is handed to the worker and the page says it is being worked out, rather than
  holding a request (and a web process) for seconds.
- **Bounded**: each pass of the worker works out at most :data:`PER_PASS`, the longest due first,
  under a lease of at least :data:`LEASE`, so timers and messages wait for one window's figures at
  most; a snapshot whose worker died is due again when its lease runs out.

People's figures are stored for everyone; what a viewer may see (coaching flags and complaints, for
leads only) is chosen when the page is read."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F

from touchpoint.cases.models import Case, JourneyVersion
from touchpoint.core.clock import now
from touchpoint.core.leases import lease_due
from touchpoint.insights.figures import Chart, Figure, Scope
from touchpoint.insights.models import FigureSnapshot, SnapshotKind
from touchpoint.insights.people import Quote, coaching_flags, people, recognition_board
from touchpoint.insights.report import insights_report

INSIGHTS_DAYS = (7, 30, 90, 365)
PEOPLE_DAYS = (30, 90, 365)
# The shape each kind is stored in: raise it when the JSON written below changes.
VERSIONS: dict[str, int] = {SnapshotKind.INSIGHTS: 2, SnapshotKind.PEOPLE: 1}  # insights 2: time in state's clock
REFRESH = {7: timedelta(minutes=10), 30: timedelta(minutes=10), 90: timedelta(minutes=30), 365: timedelta(hours=1)}
# Cases in a window worked out during the request when its snapshot is missing (about 70 ms of CPU
# at 1,000); TOUCHPOINT_INSIGHTS_SYNC_CASES in the settings changes it.
SMALL = 1000
PER_PASS = 1
LEASE = 600.0  # seconds: the year's figures of a big shop take a while
QUOTES = 50  # the newest compliments and complaints kept per person (the counts are of all)


# --- the stored shapes ------------------------------------------------------------------------------


def figure_dump(figure: Figure) -> dict[str, Any]:
    chart = figure.chart
    return {
        "key": figure.key,
        "title": figure.title,
        "what": figure.what,
        "columns": list(figure.columns),
        "rows": [list(row) for row in figure.rows],
        "chart": None
        if chart is None
        else {"label": list(chart.label), "value": chart.value, "upper": chart.upper, "unit": chart.unit},
    }


def figure_load(data: dict[str, Any]) -> Figure:
    chart = data["chart"]
    return Figure(
        data["key"],
        data["title"],
        data["what"],
        tuple(data["columns"]),
        [tuple(row) for row in data["rows"]],
        None if chart is None else Chart(tuple(chart["label"]), chart["value"], chart["upper"], chart["unit"]),
    )


@dataclass(frozen=True)
class PersonFigures:
    """What one person did on the window's cases, as stored (by user id; the page joins the person)."""

    user_id: int
    cases: int = 0
    rated: int = 0
    average: float | None = None
    compliment_count: int = 0
    complaint_count: int = 0
    compliments: list[Quote] = field(default_factory=list)  # the first QUOTES, naming them first
    complaints: list[Quote] = field(default_factory=list)  # the newest QUOTES
    remedies: dict[str, int] = field(default_factory=dict)
    remedy_cost: Decimal = Decimal("0")

    @property
    def remedy_count(self) -> int:
        return sum(self.remedies.values())


@dataclass(frozen=True)
class FlagFigures:
    user_id: int
    complaints: int
    rated: int
    rate: float
    overall_rate: float


@dataclass(frozen=True)
class PeopleFigures:
    people: dict[int, PersonFigures]
    board: list[int]  # user ids, the recognition board's order
    flags: list[FlagFigures]


def _quote_dump(quote: Quote) -> dict[str, Any]:
    return {
        "text": quote.text,
        "csat": quote.csat,
        "at": quote.at.isoformat(),
        "reference": quote.reference,
        "names_them": quote.names_them,
    }


def _quote_load(data: dict[str, Any]) -> Quote:
    return Quote(data["text"], data["csat"], datetime.fromisoformat(data["at"]), data["reference"], data["names_them"])


def people_figures(*, since: datetime) -> dict[str, Any]:
    """Work out the people pages' figures for the cases opened since ``since``, as stored."""
    everyone = people(since=since)
    return {
        "people": [
            {
                "user": p.user.pk,
                "cases": len(p.cases),
                "rated": len(p.ratings),
                "average": p.average,
                "compliment_count": len(p.compliments),
                "complaint_count": len(p.complaints),
                "compliments": [_quote_dump(q) for q in p.compliments[:QUOTES]],
                "complaints": [_quote_dump(q) for q in p.complaints[:QUOTES]],
                "remedies": p.remedies,
                "remedy_cost": str(p.remedy_cost),
            }
            for p in everyone.values()
        ],
        "board": [p.user.pk for p in recognition_board(everyone)],
        "flags": [
            {"user": f.user.pk, "complaints": f.complaints, "rated": f.rated, "rate": f.rate, "overall": f.overall_rate}
            for f in coaching_flags(everyone)
        ],
    }


def people_load(data: dict[str, Any]) -> PeopleFigures:
    found = {
        p["user"]: PersonFigures(
            user_id=p["user"],
            cases=p["cases"],
            rated=p["rated"],
            average=p["average"],
            compliment_count=p["compliment_count"],
            complaint_count=p["complaint_count"],
            compliments=[_quote_load(q) for q in p["compliments"]],
            complaints=[_quote_load(q) for q in p["complaints"]],
            remedies=dict(p["remedies"]),
            remedy_cost=Decimal(p["remedy_cost"]),
        )
        for p in data["people"]
    }
    flags = [FlagFigures(f["user"], f["complaints"], f["rated"], f["rate"], f["overall"]) for f in data["flags"]]
    return PeopleFigures(found, list(data["board"]), flags)


def insights_figures(*, since: datetime, journey: str) -> dict[str, Any]:
    """Work out every insights figure for the cases opened since ``since`` (of ``journey``, or all)."""
    return {"figures": [figure_dump(f) for f in insights_report(Scope(journey=journey or None, since=since))]}


def insights_load(data: dict[str, Any]) -> list[Figure]:
    return [figure_load(f) for f in data["figures"]]


def _compute(kind: str, days: int, journey: str, at: datetime) -> dict[str, Any]:
    since = at - timedelta(days=days)
    if kind == SnapshotKind.PEOPLE:
        return people_figures(since=since)
    return insights_figures(since=since, journey=journey)


# --- reading, for the pages -------------------------------------------------------------------------


@dataclass(frozen=True)
class Snapshot:
    computed_at: datetime
    figures: dict[str, Any]
    # What names these figures for a page keeping what it drew from them (the row's id and revision:
    # every store raises the revision); None for figures worked out during the request, not yet read back.
    key: str | None = None


def _small(days: int, journey: str, at: datetime) -> bool:
    """At most :data:`SMALL` cases opened in the window: an index range of SMALL + 1 entries at most."""
    small = int(getattr(settings, "TOUCHPOINT_INSIGHTS_SYNC_CASES", SMALL))
    found = Case.objects.filter(opened_at__gte=at - timedelta(days=days))
    if journey:
        found = found.filter(journey__name=journey)
    return len(found.values_list("pk", flat=True)[: small + 1]) <= small


def snapshot_read(*, kind: str, days: int, journey: str = "") -> Snapshot | None:
    """The stored figures of a page's window (one query). When they are missing or of an older
    shape: worked out now for a window of at most :data:`SMALL` cases, else asked of the worker
    (due at once) and ``None``: the page says they are being worked out."""
    row = (
        FigureSnapshot.objects.filter(kind=kind, days=days, journey=journey)
        .values_list("version", "computed_at", "figures", "pk", "revision")
        .first()
    )
    if row is not None and row[0] == VERSIONS[kind] and row[1] is not None:
        return Snapshot(row[1], row[2], key=f"{row[3]}.{row[4]}.{row[0]}")
    at = now()
    if _small(days, journey, at):
        figures = _compute(kind, days, journey, at)
        _store(kind, days, journey, figures, at)
        return Snapshot(at, figures)
    _ask(kind, days, journey, at)
    return None


def _store(kind: str, days: int, journey: str, figures: dict[str, Any], at: datetime) -> None:
    values = {
        "version": VERSIONS[kind],
        "computed_at": at,
        "figures": figures,
        "due_at": at + REFRESH.get(days, REFRESH[30]),
        "lease_owner": "",
        "lease_until": None,
    }
    key = {"kind": kind, "days": days, "journey": journey}
    if FigureSnapshot.objects.filter(**key).update(**values, revision=F("revision") + 1):
        return
    try:
        with transaction.atomic():
            FigureSnapshot.objects.create(**key, **values, revision=1)
    except IntegrityError:  # another request or worker stored it first: theirs is as new
        FigureSnapshot.objects.filter(**key).update(**values, revision=F("revision") + 1)


def _ask(kind: str, days: int, journey: str, at: datetime) -> None:
    """Make the window's snapshot due now (a row to work out, or an old shape's row brought forward)."""
    key = {"kind": kind, "days": days, "journey": journey}
    if FigureSnapshot.objects.filter(**key).update(due_at=at):
        return
    try:
        with transaction.atomic():
            FigureSnapshot.objects.create(**key, due_at=at)
    except IntegrityError:
        pass  # asked by someone else meanwhile


# --- the worker -------------------------------------------------------------------------------------


def _expected(kinds: set[str]) -> set[tuple[str, int, str]]:
    """Every window the pages of ``kinds`` offer: insights per journey and for all; people for all."""
    out: set[tuple[str, int, str]] = set()
    if SnapshotKind.INSIGHTS in kinds:
        names = ["", *sorted(set(JourneyVersion.objects.values_list("name", flat=True)))]
        out |= {(SnapshotKind.INSIGHTS, days, name) for days in INSIGHTS_DAYS for name in names}
    if SnapshotKind.PEOPLE in kinds:
        out |= {(SnapshotKind.PEOPLE, days, "") for days in PEOPLE_DAYS}
    return out


def snapshots_work(*, worker_id: str, batch: int, lease_seconds: float) -> int:
    """The worker's job: work out at most :data:`PER_PASS` due snapshots (and fewer than ``batch``);
    returns how many. Before a page has been looked at, one query. Then two more: the windows the
    pages offer that have no row yet (a kind's first look, a new journey) get one, due now, and rows
    of an older shape are brought forward (a deploy), so they are worked out on the next passes."""
    at = now()
    rows = list(FigureSnapshot.objects.values_list("pk", "kind", "days", "journey", "version", "due_at", "lease_until"))
    if not rows:
        return 0
    missing = _expected({r[1] for r in rows}) - {(r[1], r[2], r[3]) for r in rows}
    if missing:
        FigureSnapshot.objects.bulk_create(
            [FigureSnapshot(kind=kind, days=days, journey=name, due_at=at) for kind, days, name in sorted(missing)],
            ignore_conflicts=True,  # a page asked for one meanwhile
        )
    free = [r for r in rows if r[6] is None or r[6] < at]
    outdated = [r[0] for r in free if r[4] != VERSIONS.get(r[1]) and r[5] > at]
    if outdated:
        FigureSnapshot.objects.filter(pk__in=outdated).update(due_at=at)
    if not missing and not outdated and not any(r[5] <= at for r in free):
        return 0
    ids = lease_due(
        FigureSnapshot.objects.all(),
        due_field="due_at",
        worker_id=worker_id,
        batch=max(min(batch, PER_PASS), 1),
        lease_seconds=max(lease_seconds, LEASE),
    )
    claimed = FigureSnapshot.objects.filter(pk__in=ids, lease_owner=worker_id).values_list("kind", "days", "journey")
    for kind, days, journey in list(claimed):
        worked_at = now()
        _store(kind, days, journey, _compute(kind, days, journey, worked_at), worked_at)
    return len(ids)


def snapshots_refresh_all(*, kinds: tuple[str, ...] = tuple(SnapshotKind)) -> int:
    """Work out every window of ``kinds`` now (``touchpoint insights --refresh``; the benchmarks):
    how many snapshots were stored."""
    expected = sorted(_expected(set(kinds)))
    for kind, days, journey in expected:
        at = now()
        _store(kind, days, journey, _compute(kind, days, journey, at), at)
    return len(expected)
