"""Reads: a case's remedies and requests, and the requests waiting for a lead."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import cache
from typing import Any

from django.db.models import CharField, DateTimeField, QuerySet, TextField, Value

from touchpoint.remedies.models import KIND_CHOICES, Remedy, RemedyRequest, RequestStatus
from touchpoint.remedies.money import format_money
from touchpoint.remedies.services.context import totals_of

_KIND_LABELS = dict(KIND_CHOICES)


def requests_waiting() -> QuerySet[RemedyRequest]:
    """Requests waiting for a lead, oldest first, with what the lead's page shows of each case."""
    return (
        RemedyRequest.objects.filter(status=RequestStatus.PENDING)
        .select_related("case", "case__customer", "asked_by")
        .order_by("asked_at", "pk")
    )


def requests_decided(*, limit: int = 10) -> QuerySet[RemedyRequest]:
    return (
        RemedyRequest.objects.exclude(status=RequestStatus.PENDING)
        .select_related("case", "asked_by", "decided_by")
        .order_by("-decided_at")[:limit]
    )


def request_on_case(*, reference: str, pk: int) -> RemedyRequest | None:
    """The request ``pk`` if it belongs to case ``reference``; None otherwise (a request id can't be
    used through another case's address)."""
    return (
        RemedyRequest.objects.select_related("case", "case__customer", "asked_by")
        .filter(pk=pk, case__reference=reference)
        .first()
    )


def _person(first: str | None, last: str | None, username: str | None) -> str:
    """A person as ``str(StaffUser)`` says it; empty for nobody."""
    if username is None:
        return ""
    return f"{first or ''} {last or ''}".strip() or username


class _Shown:
    """What both lists say of a remedy: its kind in words, and its amount as money."""

    kind: str
    amount: Decimal | None
    currency: str

    @property
    def kind_label(self) -> str:
        return _KIND_LABELS.get(self.kind, self.kind)

    @property
    def amount_text(self) -> str:
        return format_money(self.amount, self.currency) if self.amount is not None else ""


@dataclass(frozen=True)
class GivenRemedy(_Shown):
    """A remedy given on a case, as its panel shows it."""

    pk: int
    kind: str
    amount: Decimal | None
    currency: str
    reason: str
    rule: str
    applied_at: datetime
    applied_by: str
    approved_by: str  # empty when it was within the giver's own limit


@dataclass(frozen=True)
class AskedRemedy(_Shown):
    """A request for a remedy on a case, as its panel shows it."""

    pk: int
    kind: str
    amount: Decimal | None
    currency: str
    reason: str
    asked_at: datetime
    due_at: datetime
    status: str
    asked_by: str
    decided_by: str  # empty while it waits
    decision_reason: str


@dataclass(frozen=True)
class CaseRemedies:
    """Everything a case had of remedies: given, and asked of a lead (each newest first)."""

    given: list[GivenRemedy]
    asked: list[AskedRemedy]

    def totals(self) -> dict[str, tuple[Decimal, int]]:
        """Per kind, the money given and how many times, as the policy's limits count them."""
        return totals_of((g.kind, g.amount) for g in self.given)


_WHO = ("first_name", "last_name", "username")


# Each half is built once per process (its columns and six joins named) and filtered per request:
# building it cost the case view more than compiling and running the statement (~1 ms a page).
@cache
def _given() -> QuerySet[Remedy, tuple[Any, ...]]:
    who = _WHO
    return (
        Remedy.objects.order_by()
        .values_list(
            "pk", "kind", "amount", "currency", "reason", "rule", "applied_at",
            Value(None, output_field=DateTimeField()),  # due_at
            Value(None, output_field=CharField()),  # status
            Value(None, output_field=TextField()),  # decision_reason
            *(f"applied_by__{f}" for f in who), *(f"approved_by__{f}" for f in who),
        )
    )  # fmt: skip


@cache
def _asked() -> QuerySet[RemedyRequest, tuple[Any, ...]]:
    who = _WHO
    return (
        RemedyRequest.objects.order_by()
        .values_list(
            "pk", "kind", "amount", "currency", "reason",
            Value(None, output_field=CharField()),  # rule
            "asked_at", "due_at", "status", "decision_reason",
            *(f"asked_by__{f}" for f in who), *(f"decided_by__{f}" for f in who),
        )
    )  # fmt: skip


def _history(case_id: int) -> QuerySet[Any, Any]:
    """A case's remedies and requests in one statement, lined up column for column; a remedy has no
    ``status`` (NULL), a request always has one."""
    given, asked = _given().filter(case_id=case_id), _asked().filter(case_id=case_id)
    return given.union(asked, all=True).order_by()  # sorted by the caller, newest first


def remedy_history(*, case_id: int) -> CaseRemedies:
    """The case's remedies and requests for its panel: one query, only the columns shown."""
    given: list[GivenRemedy] = []
    asked: list[AskedRemedy] = []
    for pk, kind, amount, code, reason, rule, at, due, status, decision, *people in _history(case_id):
        first, second = _person(*people[:3]), _person(*people[3:])
        if status is None:
            given.append(GivenRemedy(pk, kind, amount, code, reason, rule, at, first, second))
        else:
            asked.append(AskedRemedy(pk, kind, amount, code, reason, at, due, status, first, second, decision))
    given.sort(key=lambda g: (g.applied_at, g.pk), reverse=True)
    asked.sort(key=lambda a: (a.asked_at, a.pk), reverse=True)
    return CaseRemedies(given, asked)
