"""Giving and asking for remedies as the console does: on the case as it is now, once per key."""

from __future__ import annotations

from typing import Any

from touchpoint.cases.models import Case
from touchpoint.remedies.models import Remedy, RemedyRequest
from touchpoint.remedies.services.remedies import remedy_apply
from touchpoint.remedies.services.requests import remedy_request
from touchpoint.staff.models import StaffUser


def give(case: Case, user: StaffUser, kind: str, amount: Any, key: str, reason: str = "Late by a week") -> Remedy:
    case.refresh_from_db()
    return remedy_apply(
        case=case, user=user, kind=kind, amount=amount, reason=reason, expected_version=case.version,
        idempotency_key=key,
    )  # fmt: skip


def ask(
    case: Case, user: StaffUser, kind: str, amount: Any, key: str = "ask-1", reason: str = "Screen cracked in our care"
) -> RemedyRequest:
    case.refresh_from_db()
    return remedy_request(
        case=case, user=user, kind=kind, amount=amount, reason=reason, expected_version=case.version,
        idempotency_key=key,
    )  # fmt: skip
