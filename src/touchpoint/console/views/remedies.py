"""Remedies in the console: the case's panel (give within your limit, ask a lead for more), and the
leads' page of requests waiting, oldest first, where they approve or decline.

Views stay thin: the form checks shape, one service decides (and re-checks the limit from the
policy: a form edited in the browser can't give more), the page says what happened. A refusal
re-renders the form as it was typed, the message beside its field."""

from __future__ import annotations

import secrets
from datetime import datetime
from decimal import Decimal
from html import escape
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.dates import MONTHS_3
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET, require_POST

from touchpoint.cases.errors import CaseConflict
from touchpoint.cases.models import Case
from touchpoint.core.clock import now
from touchpoint.core.forms import MoneyField
from touchpoint.remedies.errors import RemedyRefused
from touchpoint.remedies.models import RequestStatus
from touchpoint.remedies.money import currency, format_money
from touchpoint.remedies.selectors import (
    AskedRemedy,
    GivenRemedy,
    remedy_history,
    request_on_case,
    requests_decided,
    requests_waiting,
)
from touchpoint.remedies.services.policies import policy_in_force
from touchpoint.remedies.services.remedies import MAX_REASON, RemedyOption, remedy_apply, remedy_options
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


REASON_HINT = "Recorded with the remedy; the customer isn't shown it"


def _amount_label() -> str:
    return f"Amount ({currency().upper()})"


def _amount_hint(option: RemedyOption, *, left: str, most: str) -> str:
    """The amount's hint; ``left`` and ``most`` are the option's ``remaining_text`` and ``ceiling_text``."""
    if option.can_apply:
        return f"You may give up to {left} on this case"
    return f"Over your limit here: a lead can approve up to {most}"


class RemedyForm(_Described):
    amount = MoneyField(required=False, label="Amount")
    reason = forms.CharField(max_length=MAX_REASON, label="Why", widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput)
    nonce = forms.CharField(max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args: Any, option: RemedyOption, **kwargs: Any) -> None:
        kwargs["prefix"] = option.kind  # one form per remedy on the page: ids stay unique
        super().__init__(*args, **kwargs)
        self.option = option
        if option.monetary:
            self.fields["amount"].label = _amount_label()
            self.fields["amount"].widget.attrs.update({"inputmode": "decimal", "step": "0.01", "min": "0.01"})
            hint = _amount_hint(option, left=option.remaining_text, most=option.ceiling_text)
            self.fields["amount"].help_text = hint
        else:
            del self.fields["amount"]
        self.fields["reason"].help_text = REASON_HINT


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


# The panel's markup is built here rather than through Django's form widgets and the template
# engine: six forms of widgets rendered one template each cost the case view ~5 ms, this ~0.1 ms.
# RemedyForm still checks every POST; a refused one is drawn below as it was typed, with its errors
# beside its fields (aria-invalid, aria-describedby). Every value from the database, the policy or
# the request goes through html.escape.


def _shown(value: Any) -> str | None:
    """A field's value as a widget writes it (``Widget.format_value``): None writes no value."""
    return None if value is None or value == "" else str(value)


def _field(*, id_: str, label: str, widget: str, hint: str, errors: list[str]) -> str:
    """One labelled field with its hint and errors, as ``_field.html`` draws a bound field."""
    error = f'\n  <p class="field-error" id="{id_}-error">{escape(" ".join(errors))}</p>' if errors else ""
    return (
        f'  <div class="field">\n  <label for="{id_}">{label}</label>\n  {widget}\n'
        f'  <p class="hint" id="{id_}-hint">{hint}</p>{error}\n</div>\n'
    )


def _aria(id_: str, errors: list[str]) -> str:
    """``aria-describedby`` (the error first, then the hint) and ``aria-invalid`` for a field."""
    if errors:
        return f' aria-invalid="true" aria-describedby="{id_}-error {id_}-hint"'
    return f' aria-describedby="{id_}-hint"'


_REASON_HINT = escape(REASON_HINT)


def _remedy_form(
    option: RemedyOption,
    *,
    action: str,
    csrf: str,
    values: dict[str, str | None],
    errors: dict[str, list[str]],
    bound: bool,
) -> str:
    """One remedy's form (``action`` and ``csrf`` already escaped): fresh (``values`` holds the
    version and a new nonce), or a refused POST drawn as it was typed, open, with its errors
    (``bound``)."""
    kind, label = escape(option.kind), escape(option.label)
    left, most = escape(option.remaining_text), escape(option.ceiling_text)
    rule = f" (rule <code>{escape(option.allowance.rule_key)}</code>)" if option.allowance.rule else ""
    if option.can_apply:
        said = f"You may give {left} on this case now, no manager needed{rule}."
    else:
        said = f"Over your limit on this case{rule}."
    if option.can_ask:
        said += f"\n    A lead can approve up to {most} and decides within {escape(option.decide_within_text)}."
    # A hidden field's error (an edited page) has no field to stand beside: it joins the form's own.
    general = errors.get(NON_FIELD_ERRORS, []) + [
        f"(Hidden field {name}) {e}" for name in ("version", "nonce") for e in errors.get(name, [])
    ]
    hidden = "".join(
        f'<input type="hidden" name="{kind}-{name}"'
        + (f' value="{escape(v)}"' if (v := values.get(name)) is not None else "")
        + f' id="id_{kind}-{name}">'
        for name in ("version", "nonce")
    )
    amount = ""
    if option.monetary:
        id_, wrong, typed = f"id_{kind}-amount", errors.get("amount", []), values.get("amount")
        shown = f' value="{escape(typed)}"' if typed is not None else ""
        widget = (
            f'<input type="number" name="{kind}-amount"{shown} step="0.01" inputmode="decimal" min="0.01"'
            f'{_aria(id_, wrong)} id="{id_}">'
        )
        hint = _amount_hint(option, left=left, most=most)  # both escaped above
        amount = _field(id_=id_, label=escape(_amount_label()), widget=widget, hint=hint, errors=wrong)
    id_, wrong = f"id_{kind}-reason", errors.get("reason", [])
    widget = (
        f'<textarea name="{kind}-reason" cols="40" rows="2" maxlength="{MAX_REASON}"{_aria(id_, wrong)} '
        f'required id="{id_}">\n{escape(values.get("reason") or "")}</textarea>'
    )
    reason = _field(id_=id_, label="Why", widget=widget, hint=_REASON_HINT, errors=wrong)
    apply = (
        f'    <button type="submit" class="primary" name="action" value="apply">Give {label.lower()}</button>\n'
        if option.can_apply
        else ""
    )
    ask = (
        '    <button type="submit" class="secondary" name="action" value="ask">Ask a lead</button>\n'
        if option.can_ask
        else ""
    )
    alert = f'  <p class="alert" role="alert">{escape(" ".join(general))}</p>\n' if general else ""
    return (
        f'<details class="remedy"{" open" if bound else ""}>\n'
        f'<summary><span id="remedy-{kind}">{label}</span> <span class="hint">· '
        f"{f'you may give {left}' if option.can_apply else 'over your limit: ask a lead'}</span></summary>\n"
        f'<form method="post" action="{action}" class="remedy-form" aria-labelledby="remedy-{kind}">\n'
        f'  {csrf}\n  <p class="hint">\n    {said}\n  </p>\n{alert}'
        f'  <input type="hidden" name="kind" value="{kind}">\n  {hidden}\n{amount}{reason}'
        f'  <p class="remedy-actions">\n{apply}{ask}  </p>\n</form>\n</details>\n'
    )


def _time(at: datetime) -> str:
    """``<time>`` as the templates write it (``date:'c'``, ``date:"j M H:i"``), in the current time zone."""
    local = timezone.localtime(at) if timezone.is_aware(at) else at
    month = escape(str(MONTHS_3[local.month]).title())
    return f'<time datetime="{local.isoformat()}">{local.day} {month} {local:%H:%M}</time>'


def _amount(item: GivenRemedy | AskedRemedy) -> str:
    return f" {escape(item.amount_text)}" if item.amount is not None else ""


def _pending(items: list[AskedRemedy], *, at: datetime, decide_url: str | None) -> SafeString:
    """The requests waiting for a lead; ``decide_url`` (the leads' page) for a lead."""
    lines = []
    for r in items:
        due = '<span class="badge risk">overdue</span> was due' if r.due_at < at else "a lead decides by"
        decide = f' · <a href="{escape(decide_url)}#request-{r.pk}">decide</a>' if decide_url else ""
        lines.append(
            f"  <li>{escape(r.kind_label)}{_amount(r)}, asked by {escape(r.asked_by)}: “{escape(r.reason)}” —\n"
            f"    {due} {_time(r.due_at)}{decide}</li>"
        )
    return mark_safe("\n".join(lines))  # noqa: S308 - every value above went through escape()


def _history(given: list[GivenRemedy], declined: list[AskedRemedy]) -> SafeString:
    """What was given (newest first), then what a lead declined."""
    lines = []
    for g in given:
        approved = f", approved by {escape(g.approved_by)}" if g.approved_by else ""
        lines.append(
            f"  <li>{escape(g.kind_label)}{_amount(g)} by {escape(g.applied_by)}{approved},\n"
            f"    {_time(g.applied_at)}: “{escape(g.reason)}” (rule <code>{escape(g.rule)}</code>)</li>"
        )
    for r in declined:
        lines.append(
            f"  <li>{escape(r.kind_label)}{_amount(r)} declined by {escape(r.decided_by)}: "
            f"“{escape(r.decision_reason)}”</li>"
        )
    return mark_safe("\n".join(lines))  # noqa: S308 - every value above went through escape()


def panel_context(
    request: HttpRequest, case: Case, *, bound: RemedyForm | None = None, problem: str = ""
) -> dict[str, Any]:
    """The remedies panel: two queries (the policy in force by id and hash, then the case's remedies
    and requests in one statement), whatever the case's history."""
    user = _user(request)
    history = remedy_history(case_id=case.pk)
    options = remedy_options(case=case, user=user, policy=policy_in_force(), totals=history.totals())
    action = escape(reverse("console:remedy_give", args=[case.reference]))
    csrf = f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(get_token(request))}">'
    rows: list[dict[str, Any]] = []  # each remedy shown: its option and its form's markup
    for option in options:
        if not option.can_apply and not option.can_ask:
            continue
        typed = bound if bound is not None and bound.option.kind == option.kind else None  # a refused POST
        if typed is not None:
            values = {name: _shown(typed[name].value()) for name in typed.fields}
            errors = {name: [str(e) for e in errs] for name, errs in typed.errors.items()}
        else:
            values, errors = {"version": str(case.version), "nonce": secrets.token_urlsafe(16)}, {}
        html = _remedy_form(option, action=action, csrf=csrf, values=values, errors=errors, bound=typed is not None)
        rows.append({"option": option, "html": html})
    at = now()
    pending = [r for r in history.asked if r.status == RequestStatus.PENDING]
    declined = [r for r in history.asked if r.status == RequestStatus.DECLINED]
    decide_url = reverse("console:remedy_requests") if pending and has_role(user, "lead") else None
    return {
        "case": case,
        "rows": rows,
        "forms": mark_safe("".join([str(row["html"]) for row in rows])),  # noqa: S308 - built escaped above
        "problem": problem,
        "pending": _pending(pending, at=at, decide_url=decide_url),
        "history": _history(history.given, declined),
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
    user = _user(request)
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
