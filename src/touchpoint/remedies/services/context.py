"""What the policy's conditions and limits read about one case: its facts, and what it already had."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import Count, Sum

from touchpoint.cases.models import Case
from touchpoint.core.clock import now
from touchpoint.remedies.models import Remedy
from touchpoint.remedies.policy.evaluate import ZERO
from touchpoint.staff.models import StaffUser


def case_facts(*, case: Case) -> dict[str, Any]:
    """Case data by name, then what every condition may also read: ``tier``, ``state``, ``journey``
    and ``days_open`` (these win over case data of the same name)."""
    facts: dict[str, Any] = dict(case.data or {})
    facts.update(
        {
            "tier": case.customer.tier,
            "state": case.state,
            "journey": case.journey.name,
            "days_open": max((now() - case.opened_at).days, 0),
        }
    )
    return facts


def policy_role(user: StaffUser) -> str:
    """The role a policy rule names for this person (a superuser counts as an admin)."""
    return "admin" if user.is_superuser else str(user.role)


def applied_totals(*, case: Case) -> dict[str, tuple[Decimal, int]]:
    """Per remedy kind: the money already given on the case and how many times (one query)."""
    rows = Remedy.objects.filter(case=case).values("kind").annotate(total=Sum("amount"), n=Count("id"))
    return {r["kind"]: (r["total"] or ZERO, r["n"]) for r in rows}


def totals_of(given: Iterable[tuple[str, Decimal | None]]) -> dict[str, tuple[Decimal, int]]:
    """:func:`applied_totals` from the case's remedies already read, as (kind, amount): no query."""
    totals: dict[str, tuple[Decimal, int]] = {}
    for kind, amount in given:
        total, n = totals.get(kind, (ZERO, 0))
        totals[kind] = (total + amount if amount is not None else total, n + 1)
    return totals
