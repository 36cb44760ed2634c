"""Moderating the wall (leads): publish, hide for personal data or abuse only, answer."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from touchpoint.feedback.selectors import wall_counts
from touchpoint.staff.access import staff_required
from touchpoint.staff.models import StaffUser
from touchpoint.wall.models import HiddenReason, Status, WallItem
from touchpoint.wall.selectors import items_to_moderate
from touchpoint.wall.services import (
    WallRefused,
    wall_item_answer,
    wall_item_hide,
    wall_item_publish,
)


@require_GET
@staff_required("lead")
def moderate(request: HttpRequest) -> HttpResponse:
    unanswered = (
        WallItem.objects.filter(status=Status.PUBLISHED, answer="")
        .select_related("feedback", "feedback__case")
        .order_by("created_at")[:50]
    )
    return render(
        request,
        "console/wall/moderate.html",
        {
            "pending": items_to_moderate()[:50],
            "unanswered": unanswered,
            "counts": wall_counts(),
            "reasons": HiddenReason.choices,
        },
    )


@require_POST
@staff_required("lead")
def act(request: HttpRequest, item_id: int) -> HttpResponse:
    item = get_object_or_404(WallItem, pk=item_id)
    user = request.user
    assert isinstance(user, StaffUser)  # staff_required let only staff through
    action = request.POST.get("action", "")
    try:
        if action == "publish":
            wall_item_publish(item=item, user=user, text=request.POST.get("text"))
            messages.success(request, "Published on the wall.")
        elif action == "hide":
            wall_item_hide(
                item=item, user=user, reason=request.POST.get("reason", ""), note=request.POST.get("note", "")
            )
            messages.success(request, "Kept off the wall; the reason is recorded and counted on the public page.")
        elif action == "answer":
            wall_item_answer(item=item, user=user, answer=request.POST.get("answer", ""))
            messages.success(request, "Answer saved; it shows under the item.")
        else:
            messages.error(request, "Choose publish, hide or answer.")
    except WallRefused as refused:
        messages.error(request, str(refused))
    return redirect("console:wall")
