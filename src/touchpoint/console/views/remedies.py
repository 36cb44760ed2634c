"""Remedies on a case: the case view's panel (give within your limit, ask a lead for more) and the
panel's own page, where a refused form is drawn again.

Views stay thin: the form checks shape, one service decides (and re-checks the limit from the
policy: a form edited in the browser can't give more), the page says what happened. A refusal
re-renders the form as it was typed, the message beside its field. The leads' page of requests is
in :mod:`touchpoint.console.views.remedy_requests`."""

from __future__ import annotations

import secrets
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET, require_POST

from touchpoint.cases.errors import CaseConflict
from touchpoint.cases.models import Case
from touchpoint.console.views.remedy_forms import FreshRemedy, RemedyForm
from touchpoint.core.clock import now
from touchpoint.remedies.errors import RemedyRefused
from touchpoint.remedies.models import RequestStatus
from touchpoint.remedies.selectors import remedy_history
from touchpoint.remedies.services.policies import policy_in_force
from touchpoint.remedies.services.remedies import remedy_apply, remedy_options
from touchpoint.remedies.services.requests import remedy_request
from touchpoint.staff.access import has_role, staff_required
from touchpoint.staff.models import StaffUser


def staff_user(request: HttpRequest) -> StaffUser:
    assert isinstance(request.user, StaffUser)  # staff_required let only staff in
    return request.user


def panel_context(
    request: HttpRequest, case: Case, *, bound: RemedyForm | None = None, problem: str = ""
) -> dict[str, Any]:
    """The remedies panel: two queries (the policy in force by id and hash, its parse cached; the
    case's remedies and requests in one statement), whatever the case's history."""
    user = staff_user(request)
    history = remedy_history(case_id=case.pk)
    options = remedy_options(case=case, user=user, policy=policy_in_force(), totals=history.totals())
    # One per remedy this person may give or ask for: fresh, or the refused POST as typed.
    forms: list[RemedyForm | FreshRemedy] = []
    for option in options:
        if not option.can_apply and not option.can_ask:
            continue
        if bound is not None and bound.option.kind == option.kind:
            forms.append(bound)
        else:
            forms.append(FreshRemedy.of(option, version=case.version, nonce=secrets.token_urlsafe(16)))
    pending = [r for r in history.asked if r.status == RequestStatus.PENDING]
    return {
        "case": case,
        "action": reverse("console:remedy_give", args=[case.reference]),
        "forms": forms,
        "bound": bound,
        "problem": problem,
        "now": now(),
        "pending": pending,
        "may_decide": bool(pending) and has_role(user, "lead"),
        "given": history.given,
        "declined": [r for r in history.asked if r.status == RequestStatus.DECLINED],
        "done": request.GET.get("remedy", ""),
    }


def remedy_panel(request: HttpRequest, case: Case) -> dict[str, Any] | None:
    """The case view's remedies panel (see ``console/panels.py``); None for someone not on staff."""
    if not has_role(request.user, "agent"):
        return None
    return panel_context(request, case)


def _case(reference: str) -> Case:
    return get_object_or_404(Case.objects.select_related("customer", "journey"), reference=reference)


def case_url(case: Case) -> str:
    """The case view when the console has one, else this area's page for the case."""
    try:
        return reverse("console:case", args=[case.reference])
    except NoReverseMatch:
        return reverse("console:case_remedies", args=[case.reference])


def _back(case: Case, done: str) -> HttpResponseRedirect:
    """Back to the case, saying what happened (``done``)."""
    return HttpResponseRedirect(f"{case_url(case)}?remedy={done}#remedies")


def _page(
    request: HttpRequest, case: Case, *, status: int = 200, bound: RemedyForm | None = None, problem: str = ""
) -> HttpResponse:
    """This area's page for the case: its panel, and the way back to the case."""
    panel = {**panel_context(request, case, bound=bound, problem=problem), "case_url": case_url(case)}
    return render(request, "console/remedies/case.html", {"panel": panel}, status=status)


@require_GET
@staff_required("agent")
def case_remedies(request: HttpRequest, reference: str) -> HttpResponse:
    return _page(request, _case(reference))


@require_POST
@staff_required("agent")
def remedy_give(request: HttpRequest, reference: str) -> HttpResponse:
    """Give a remedy (``action=apply``) or ask a lead for it (``action=ask``)."""
    case = _case(reference)
    user = staff_user(request)
    kind = request.POST.get("kind", "")
    option = next((o for o in remedy_options(case=case, user=user) if o.kind == kind), None)
    if option is None:
        return _page(
            request, case, problem="That remedy isn't in the policy in force: pick one listed here.", status=400
        )
    form = RemedyForm(request.POST, option=option)
    if not form.is_valid():
        return _page(request, case, bound=form, status=400)
    data = form.cleaned_data
    amount: Decimal | None = data.get("amount")
    asking = request.POST.get("action") == "ask"
    given = {
        "case": case,
        "user": user,
        "kind": kind,
        "amount": amount,
        "reason": data["reason"],
        "expected_version": data["version"],
        "idempotency_key": f"remedy-form:{data['nonce']}",
    }
    try:
        if asking:
            remedy_request(**given)
        else:
            remedy_apply(**given)
    except CaseConflict as exc:
        form.add_error(None, str(exc))
        case.refresh_from_db(fields=["version"])  # the page's other forms carry the case as it is now
        return _page(request, case, bound=form, status=409)
    except RemedyRefused as exc:
        form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        case.refresh_from_db(fields=["version"])  # lock_case's bump was rolled back with the refusal
        return _page(request, case, bound=form, status=400)
    return _back(case, "asked" if asking else "given")
