"""Reads: a case's remedies and requests, and the requests waiting for a lead."""

from __future__ import annotations

from django.db.models import QuerySet

from touchpoint.cases.models import Case
from touchpoint.remedies.models import Remedy, RemedyRequest, RequestStatus


def remedies_of(*, case: Case) -> QuerySet[Remedy]:
    return Remedy.objects.filter(case=case).select_related("applied_by", "approved_by").order_by("-applied_at")


def requests_of(*, case: Case) -> QuerySet[RemedyRequest]:
    return RemedyRequest.objects.filter(case=case).select_related("asked_by", "decided_by").order_by("-asked_at")


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
