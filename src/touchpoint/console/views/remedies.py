"""Remedies in the console: the case's panel (give within your limit, ask a lead for more), and the
leads' page of requests waiting, oldest first, where they approve or decline.

Views stay thin: the form checks shape, one service decides (and re-checks the limit from the
policy: a form edited in the browser can't give more), the page says what happened. A refusal
re-renders the form as it was typed, the message beside its field."""

from __future__ import annotations

import secrets
from decimal import Decimal
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET, require_POST

from touchpoint.cases.errors import CaseConflict
from touchpoint.cases.models import Case
from touchpoint.core.clock import now
from touchpoint.remedies.errors import RemedyRefused
from touchpoint.remedies.models import RequestStatus
from touchpoint.remedies.money import currency, format_money
from touchpoint.remedies.selectors import remedies_of, request_on_case, requests_decided, requests_of, requests_waiting
from touchpoint.remedies.services.remedies import RemedyOption, remedy_apply, remedy_options
from touchpoint.remedies.services.requests import remedy_request, remedy_request_decide
from touchpoint.staff.access import has_role, staff_required
from touchpoint.staff.models import StaffUser


class _Described(forms.Form):
    """Ties each field to its hint and its error (``aria-describedby``, ``aria-invalid``)."""

    def described(self) -> _Described:
        for name, field in self.fields.items():
            auto_id = self[name].auto_id
            ids = [f"{auto_id}-hint"] if field.help_text else []
            if self.is_bound and name in self.errors:
                field.widget.attrs["aria-invalid"] = "true"
                ids.insert(0, f"{auto_id}-error")
            if ids:
                field.widget.attrs["aria-describedby"] = " ".join(ids)
        return self


class RemedyForm(_Described):
    amount = forms.DecimalField(required=False, max_digits=10, decimal_places=2, label="Amount")
    reason = forms.CharField(max_length=2000, label="Why", widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput)
    nonce = forms.CharField(max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args: Any, option: RemedyOption, **kwargs: Any) -> None:
        kwargs["prefix"] = option.kind  # one form per remedy on the page: ids stay unique
        super().__init__(*args, **kwargs)
        self.option = option
        if option.monetary:
            self.fields["amount"].label = f"Amount ({currency().upper()})"
            self.fields["amount"].widget.attrs.update({"inputmode": "decimal", "step": "0.01", "min": "0.01"})
            self.fields["amount"].help_text = (
                f"You may give up to {option.remaining_text} on this case"
                if option.can_apply
                else f"Over your limit here: a lead can approve up to {option.ceiling_text}"
            )
        else:
            del self.fields["amount"]
        self.fields["reason"].help_text = "Recorded with the remedy; the customer isn't shown it"


class DecideForm(_Described):
    reason = forms.CharField(
        max_length=2000,
        label="Why",
        help_text="If you decline, the customer is told this reason: write it for them",
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def _user(request: HttpRequest) -> StaffUser:
    assert isinstance(request.user, StaffUser)  # staff_required let only staff in
    return request.user


def _fresh(case: Case, option: RemedyOption) -> RemedyForm:
    return RemedyForm(option=option, initial={"version": case.version, "nonce": secrets.token_urlsafe(16)})


def panel_context(
    request: HttpRequest, case: Case, *, bound: RemedyForm | None = None, problem: str = ""
) -> dict[str, Any]:
    user = _user(request)
    rows = []
    for option in remedy_options(case=case, user=user):
        if not option.can_apply and not option.can_ask:
            continue
        form = bound if bound is not None and bound.option.kind == option.kind else _fresh(case, option)
        rows.append({"option": option, "form": form.described()})
    requests = list(requests_of(case=case))
    return {
        "case": case,
        "rows": rows,
        "problem": problem,
        "pending": [r for r in requests if r.status == RequestStatus.PENDING],
        "decided": [r for r in requests if r.status != RequestStatus.PENDING],
        "given": list(remedies_of(case=case)),
        "done": request.GET.get("remedy", ""),
        "is_lead": has_role(user, "lead"),
        "case_url": case_url(case),
        "now": now(),
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


@require_GET
@staff_required("agent")
def case_remedies(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case(reference)
    return render(request, "console/remedies/case.html", {"panel": panel_context(request, case)})


@require_POST
@staff_required("agent")
def remedy_give(request: HttpRequest, reference: str) -> HttpResponse:
    """Give a remedy (``action=apply``) or ask a lead for it (``action=ask``)."""
    case = _case(reference)
    user = _user(request)
    kind = request.POST.get("kind", "")
    option = next((o for o in remedy_options(case=case, user=user) if o.kind == kind), None)
    if option is None:
        context = panel_context(
            request, case, problem="That remedy isn't in the policy in force: pick one listed here."
        )
        return render(request, "console/remedies/case.html", {"panel": context}, status=400)
    form = RemedyForm(request.POST, option=option)
    if not form.is_valid():
        return render(
            request, "console/remedies/case.html", {"panel": panel_context(request, case, bound=form)}, status=400
        )
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
        return render(
            request, "console/remedies/case.html", {"panel": panel_context(request, case, bound=form)}, status=409
        )
    except RemedyRefused as exc:
        form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        return render(
            request, "console/remedies/case.html", {"panel": panel_context(request, case, bound=form)}, status=400
        )
    return _back(case, "asked" if asking else "given")


@require_GET
@staff_required("lead")
def remedy_requests(request: HttpRequest) -> HttpResponse:
    return render(request, "console/remedies/requests.html", _requests_context(request))


def _requests_context(request: HttpRequest, *, bound: tuple[int, DecideForm] | None = None) -> dict[str, Any]:
    waiting = []
    for item in requests_waiting():
        form = bound[1] if bound is not None and bound[0] == item.pk else DecideForm(prefix=f"r{item.pk}")
        amount = format_money(item.amount, item.currency) if item.amount is not None else ""
        waiting.append({"request": item, "form": form.described(), "amount": amount, "case_url": case_url(item.case)})
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
        return render(
            request,
            "console/remedies/requests.html",
            {
                **_requests_context(request),
                "problem": ("That request isn't on that case — reload the list and pick it there."),
            },
            status=404,
        )
    form = DecideForm(request.POST, prefix=f"r{item.pk}")
    if not form.is_valid():
        return render(
            request, "console/remedies/requests.html", _requests_context(request, bound=(item.pk, form)), status=400
        )
    try:
        remedy_request_decide(
            request=item,
            lead=_user(request),
            approve=request.POST.get("action") == "approve",
            reason=form.cleaned_data["reason"],
        )
    except RemedyRefused as exc:
        form.add_error("reason" if exc.field == "reason" else None, str(exc))
        context = _requests_context(request, bound=(item.pk, form))
        if item.pk not in [w["request"].pk for w in context["waiting"]]:
            context["problem"] = str(exc)  # already decided: its form is gone from the list
        return render(request, "console/remedies/requests.html", context, status=409)
    return HttpResponseRedirect(reverse("console:remedy_requests") + f"?decided={item.pk}")
