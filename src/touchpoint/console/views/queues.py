"""The queues page: one list of cases per question (mine, my team's, exceptions, …), with filters,
search, pages of 50, and a partial the page polls with htmx so new cases appear without a reload."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from touchpoint.cases.selectors.queues import NOBODY, QUEUES, STATUSES, QueueQuery, queue_page
from touchpoint.core.clock import now
from touchpoint.staff.access import staff_required
from touchpoint.staff.models import StaffUser, Team

FILTERS = ("search", "journey", "state", "team", "assignee", "status")


class QueueForm(forms.Form):
    q = forms.ChoiceField(choices=list(QUEUES.items()), required=False, label="Queue")
    search = forms.CharField(
        max_length=100, required=False, strip=True, label="Search",
        help_text="A case reference, a customer's name or email, or a tracking number",
    )  # fmt: skip
    journey = forms.CharField(max_length=80, required=False, label="Journey")
    state = forms.CharField(max_length=80, required=False, label="State")
    team = forms.CharField(max_length=40, required=False, label="Team")
    assignee = forms.CharField(max_length=150, required=False, label="Assignee")
    status = forms.ChoiceField(choices=[("", "Open"), *STATUSES.items()], required=False, label="Status")
    page = forms.IntegerField(min_value=1, max_value=10_000, required=False)

    def query(self) -> tuple[QueueQuery, int]:
        """The valid part of what was asked; a field with an error is left out (and shown)."""
        clean: dict[str, Any] = getattr(self, "cleaned_data", {})
        values = {name: clean.get(name) or "" for name in FILTERS}
        return QueueQuery(queue=clean.get("q") or "mine", **values), clean.get("page") or 1


def _url(params: dict[str, str], **changes: str | int) -> str:
    merged = {k: v for k, v in {**params, **{k: str(v) for k, v in changes.items()}}.items() if v and v != "1"}
    return "?" + urlencode(merged) if merged else "?"


@staff_required("agent")
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    form = QueueForm(request.GET)
    form.is_valid()  # errors are shown beside their fields; the rest of the query still applies
    query, number = form.query()
    assert isinstance(request.user, StaffUser)  # staff_required let only staff through
    page = queue_page(user=request.user, query=query, number=number, now=now())
    params = {"q": query.queue, **{name: getattr(query, name) for name in FILTERS}}
    context = {
        "form": form,
        "query": query,
        "page": page,
        "tabs": [
            (key, label, _url({"q": key, **{k: v for k, v in params.items() if k != "q"}}))
            for key, label in QUEUES.items()
        ],
        "queue_label": QUEUES[query.queue],
        "poll_url": _url(params, page=number),
        "previous_url": _url(params, page=number - 1),
        "next_url": _url(params, page=number + 1),
        "nobody": NOBODY,
        "statuses": STATUSES,
    }
    if request.headers.get("HX-Request"):  # the live refresh: the table only
        response = render(request, "console/queues/_table.html", context)
    else:
        context["teams"] = Team.objects.order_by("slug").values_list("slug", "name")
        context["staff"] = (
            StaffUser.objects.filter(is_active=True).order_by("username").values_list("username", flat=True)
        )
        response = render(request, "console/queues/queue.html", context)
    patch_vary_headers(response, ("HX-Request",))
    return response
