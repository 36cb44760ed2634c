"""The leads' page of remedy requests: those over someone's limit, oldest first, each approved or
declined with a reason (the customer is told a decline's reason), and the latest decided."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from touchpoint.console.views.remedies import case_url, staff_user
from touchpoint.console.views.remedy_forms import DecideForm
from touchpoint.core.clock import now
from touchpoint.remedies.errors import RemedyRefused
from touchpoint.remedies.money import format_money
from touchpoint.remedies.selectors import request_on_case, requests_decided, requests_waiting
from touchpoint.remedies.services.requests import remedy_request_decide
from touchpoint.staff.access import staff_required

PAGE = "console/remedies/requests.html"


@require_GET
@staff_required("lead")
def remedy_requests(request: HttpRequest) -> HttpResponse:
    return render(request, PAGE, _requests_context(request))


def _requests_context(request: HttpRequest, *, bound: tuple[int, DecideForm] | None = None) -> dict[str, Any]:
    waiting = []
    for item in requests_waiting():
        form = bound[1] if bound is not None and bound[0] == item.pk else DecideForm(prefix=f"r{item.pk}")
        amount = format_money(item.amount, item.currency) if item.amount is not None else ""
        waiting.append({"request": item, "form": form, "amount": amount, "case_url": case_url(item.case)})
    return {
        "waiting": waiting,
        "decided": list(requests_decided()),
        "now": now(),
        "done": request.GET.get("decided", ""),
        "me": request.user,
    }


@require_POST
@staff_required("lead")
def remedy_request_decision(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    item = request_on_case(reference=reference, pk=pk)
    if item is None:  # no such request on that case: the same answer whether it exists elsewhere or not
        problem = "That request isn't on that case — reload the list and pick it there."
        return render(request, PAGE, {**_requests_context(request), "problem": problem}, status=404)
    form = DecideForm(request.POST, prefix=f"r{item.pk}")
    if not form.is_valid():
        return render(request, PAGE, _requests_context(request, bound=(item.pk, form)), status=400)
    try:
        remedy_request_decide(
            request=item,
            lead=staff_user(request),
            approve=request.POST.get("action") == "approve",
            reason=form.cleaned_data["reason"],
        )
    except RemedyRefused as exc:
        form.add_error("reason" if exc.field == "reason" else None, str(exc))
        context = _requests_context(request, bound=(item.pk, form))
        if item.pk not in [w["request"].pk for w in context["waiting"]]:
            context["problem"] = str(exc)  # already decided: its form is gone from the list
        return render(request, PAGE, context, status=409)
    return HttpResponseRedirect(reverse("console:remedy_requests") + f"?decided={item.pk}")
