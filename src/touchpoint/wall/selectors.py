"""Reads for the wall: the published items and those waiting for a lead. (The counts the page states
include feedback that never reached the wall: ``feedback.selectors.wall_counts``.)"""

from __future__ import annotations

from django.db.models import QuerySet

from touchpoint.wall.models import Kind, Status, WallItem


def published_items(*, kind: Kind) -> QuerySet[WallItem]:
    return (
        WallItem.objects.filter(status=Status.PUBLISHED, kind=kind)
        .select_related("feedback")
        .order_by("-feedback__created_at", "-pk")
    )


def items_to_moderate() -> QuerySet[WallItem]:
    return (
        WallItem.objects.filter(status=Status.PENDING)
        .select_related("feedback", "feedback__case")
        .order_by("created_at")
    )
