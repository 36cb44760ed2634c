"""The staff case view: timeline, customer context, what the customer told us, the journey's valid
actions (with the values an event asks for), carrier's and system's steps recorded by hand, replies,
notes, handoffs and reassignment.

Every POST carries the case ``version`` the page was drawn with and a one-off ``nonce``: a stale page
gets a conflict message (and keeps what was typed), a double click acts once. Success redirects back
to the page (post/redirect/get); a refusal re-renders it with the reason and nothing changed."""

from __future__ import annotations

import secrets
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from touchpoint.cases.actors import recorded_by_hand, staff_actor
from touchpoint.cases.errors import CaseConflict, CaseError, TransitionRefused
from touchpoint.cases.models import Case, TimelineEntry
from touchpoint.cases.recording import OWN_PANEL, generic
from touchpoint.cases.services.assign import case_assign
from touchpoint.cases.services.handoffs import case_accept_handoff
from touchpoint.cases.services.notes import case_note_add
from touchpoint.console.asks import AsksForm, asks_form
from touchpoint.console.panels import panels_for
from touchpoint.console.reads.actions import Action
from touchpoint.console.reads.case_view import CaseView, case_view
from touchpoint.console.reads.links import case_url
from touchpoint.console.views.case_forms import (
    UNBOUND,
    AcceptForm,
    AssignForm,
    EventForm,
    ManualForm,
    NoteForm,
    ReplyForm,
    unread,
)
from touchpoint.console.words import owners_in_words, refusal_words, summary_words
from touchpoint.flows.advance import case_advance
from touchpoint.journeys import Actor
from touchpoint.journeys.engine import manual_events
from touchpoint.outbox.replies import ReplyInvalid, case_reply_send, reply_draft
from touchpoint.staff.access import staff_required
from touchpoint.staff.models import StaffUser
from touchpoint.staff.selectors import owner_words

FORMS = ("event", "note", "reply", "assign", "accept", "manual")
# Where an event with a record of its own is taken instead (touchpoint.cases.recording.OWN_PANEL).
PANEL_WORDS = {
    "quotes": "use the quote panel for that",
    "payments": "use the payments panel for that",
    "remedies": "use the remedies panel for that",
    "feedback": "only the customer gives their feedback, from their page",
}
WHOSE = {"carrier": "the carrier", "system": "Touchpoint"}


def _staff(request: HttpRequest) -> StaffUser:
    user = request.user
    assert isinstance(user, StaffUser)  # staff_required let only staff through
    return user


def _load(request: HttpRequest, reference: str) -> CaseView:
    view = case_view(reference=reference, user=_staff(request))
    if view is None:
        raise Http404(f"there is no case {reference}")
    return view


def _render(
    request: HttpRequest,
    view: CaseView,
    *,
    status: int = 200,
    bound: dict[str, forms.Form] | None = None,
    problem: str = "",
    preview: Any = None,
    asked: dict[str, AsksForm] | None = None,
) -> HttpResponse:
    nonce = secrets.token_urlsafe(16)
    # Only a refused POST brings a bound form (what was typed, with its errors); a fresh page writes its
    # inputs in the templates, which costs a fraction of building and rendering five Django forms.
    built: dict[str, Any] = {name: UNBOUND for name in FORMS} | (bound or {})
    reply = (bound or {}).get("reply")
    chosen = str(reply["template"].value() or "") if reply is not None else _default_template(view)
    asked = asked or {}

    def rows(actions: list[Action]) -> list[tuple[Action, AsksForm | None]]:
        # An event that asks for values gets its small form (as typed, after a refused POST).
        out: list[tuple[Action, AsksForm | None]] = []
        for a in actions:
            form = asked.get(a.event) if a.event in asked else asks_form(a.event, a.asks) if a.asks else None
            out.append((a, form))
        return out

    context = {
        "view": view,
        "case": view.case,
        "forms": built,
        "version": view.case.version,
        "nonce": nonce,
        "problem": problem,
        "preview": preview,
        "preview_words": view.journey.touchpoints.get(getattr(preview, "template", ""), ""),
        "action_rows": rows(view.actions),
        "manual_rows": rows(view.manual),
        "panels": panels_for(request, view.case, view.seen),
        "reply_chosen": chosen,
        "urls": {
            name: case_url(f"case_{name}", view.case.reference)
            for name in ("event", "record", "assign", "accept", "note", "reply")
        },
    }
    return render(request, "console/case/page.html", context, status=status)


def _default_template(view: CaseView) -> str:
    return "still_on_it" if "still_on_it" in view.journey.touchpoints else next(iter(view.journey.touchpoints), "")


def _fresh(request: HttpRequest, form: forms.Form, view: CaseView) -> forms.Form:
    """The submitted form, kept as typed (with its errors), but carrying the case's current version so
    sending it again works."""
    data = request.POST.copy()
    data["version"] = str(view.case.version)
    again = type(form)(data)
    again.is_valid()
    return again


def _conflict_message(request: HttpRequest, view: CaseView, what: str) -> str:
    case = view.case
    latest = TimelineEntry.objects.filter(case=case).select_related("actor_user").order_by("-seq").first()
    if latest is None:
        return f"{case.reference} changed while you were looking. {what}"
    if latest.actor_user is not None:
        same = latest.actor_user.pk == request.user.pk
        who = "you (in another tab or window)" if same else str(latest.actor_user)
    else:
        who = {"timer": "the wait limit", "system": "Touchpoint"}.get(latest.actor_kind, f"the {latest.actor_kind}")
    when = timezone.localtime(latest.at).strftime("%H:%M")
    summary = summary_words(view.journey, view.team_names, latest.summary)
    return f"While you were looking, {who} changed this case at {when}: {summary}. {what}"


def _as_of(view: CaseView, version: int) -> Case:
    """The case as the page that posted saw it. A page drawn before the latest change is stale: say so
    at once, rather than judging the action against a state that page never showed."""
    if version != view.case.version:
        raise CaseConflict(view.case.reference, version, view.case.version)
    return view.case


def _done_before(view: CaseView, key: str) -> bool:
    """This very form was sent before (a double click, a resent POST): it acts once."""
    return TimelineEntry.objects.filter(case=view.case, idempotency_key=key).exists()


def _not_done(
    request: HttpRequest,
    reference: str,
    exc: CaseError,
    *,
    stale: str,
    refused: str,
    typed: tuple[str, forms.Form] | None = None,
    event: str = "",
) -> HttpResponse:
    """The case drawn again as it is now, saying why nothing happened: 409 with ``stale`` when the
    page was out of date, 403 with ``refused`` and the reason otherwise, in the journey's words (the
    refused ``event`` by its label). ``typed`` (a form's name and the submitted form) is kept as it
    was typed, carrying the case's current version."""
    fresh = _load(request, reference)
    bound = {typed[0]: _fresh(request, typed[1], fresh)} if typed is not None else None
    if isinstance(exc, CaseConflict):
        return _render(request, fresh, status=409, bound=bound, problem=_conflict_message(request, fresh, stale))
    reason = str(exc).removeprefix(f"{reference}: ")
    if isinstance(exc, TransitionRefused) and event:
        reason = refusal_words(
            journey=fresh.journey, case=fresh.case, event=event, code=exc.code, reason=reason, names=fresh.team_names
        )
    reason = owners_in_words(reason, fresh.team_names)
    return _render(request, fresh, status=403, bound=bound, problem=f"{refused}, nothing changed: {reason}.")


def _back(reference: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("console:case", args=[reference]))


@require_GET
@staff_required("agent")
def case_page(request: HttpRequest, reference: str) -> HttpResponse:
    return _render(request, _load(request, reference))


@require_POST
@staff_required("agent")
def case_event(request: HttpRequest, reference: str) -> HttpResponse:
    view = _load(request, reference)
    form = EventForm(request.POST)
    if not form.is_valid():
        return _render(request, view, status=400, problem="That action could not be read; reload the page.")
    event, key = form.cleaned_data["event"], f"console:{form.cleaned_data['nonce']}"
    if _done_before(view, key):
        return _back(reference)
    if not generic(event):
        words = PANEL_WORDS.get(OWN_PANEL[event], "use its own panel for that")
        return _render(request, view, status=403, problem=f"Not done, nothing changed: {words}.")
    offered = next((a for a in view.actions if a.event == event), None)
    asked = asks_form(event, offered.asks, request.POST) if offered is not None and offered.asks else None
    if asked is not None and asked.errors and form.cleaned_data["version"] == view.case.version:
        problem = f"Not done, nothing changed: “{offered.label if offered else event}” needs the values below."
        return _render(request, view, status=400, problem=problem, asked={event: asked})
    try:
        result = case_advance(
            case=_as_of(view, form.cleaned_data["version"]),
            event=event,
            actor=staff_actor(_staff(request)),
            given=asked.given() if asked is not None else None,
            idempotency_key=key,
        )
    except TransitionRefused as exc:
        if asked is not None and exc.code in ("bad-input", "missing-input", "no-guard-matched"):
            return _refused_values(request, reference, asked, exc)
        stale = "Nothing was done: check the case as it is now, then choose again."
        return _not_done(request, reference, exc, stale=stale, refused="Not done", event=event)
    except CaseError as exc:
        stale = "Nothing was done: check the case as it is now, then choose again."
        return _not_done(request, reference, exc, stale=stale, refused="Not done")
    label = view.journey.states[result.case.state].label
    messages.success(request, f"Done: {view.journey.event_label(event)}. The case is now “{label}”.")
    return _back(reference)


def _refused_values(request: HttpRequest, reference: str, asked: AsksForm, exc: TransitionRefused) -> HttpResponse:
    """The journey refused the values given (a 400: what was typed is kept, the reason beside its field)."""
    fresh = _load(request, reference)
    event = asked.prefix or ""
    raw = str(exc).removeprefix(f"{reference}: ")
    reason = refusal_words(
        journey=fresh.journey, case=fresh.case, event=event, code=exc.code, reason=raw, names=fresh.team_names
    )
    asked.refused(raw, reason)
    return _render(request, fresh, status=400, problem=f"Not done, nothing changed: {reason}.", asked={event: asked})


@require_POST
@staff_required("agent")
def case_record(request: HttpRequest, reference: str) -> HttpResponse:
    """A carrier's or the system's step recorded by a person, with how they know: the journey sees the
    carrier (or the system), the timeline the person and their reason."""
    view = _load(request, reference)
    form = ManualForm(request.POST)
    event = str(request.POST.get("event", ""))
    offered = next((a for a in view.manual if a.event == event), None)
    readable = form.is_valid()
    if readable and _done_before(view, f"manual:{form.cleaned_data['nonce']}"):
        return _back(reference)  # a double click: it was recorded once
    stale = "Nothing was recorded: check the case as it is now, then record it again if it still applies."
    if offered is None:
        # Not this person's to record here (or not a step anyone records by hand): say so, whatever was typed.
        try:
            if readable:
                _as_of(view, form.cleaned_data["version"])
            raise TransitionRefused("not-by-hand", _why_not_by_hand(view, event))
        except CaseError as exc:
            return _not_done(request, reference, exc, stale=stale, refused="Not recorded", event=event)
    asked = asks_form(event, offered.asks, request.POST) if offered.asks else None
    if not readable or (asked is not None and asked.errors):
        bound = {"manual": _fresh(request, form, view)}
        problem = unread(form) or "Not recorded, nothing changed: see what is missing below."
        return _render(request, view, status=400, bound=bound, problem=problem, asked={event: asked} if asked else None)
    key = f"manual:{form.cleaned_data['nonce']}"
    user = _staff(request)
    try:
        case = _as_of(view, form.cleaned_data["version"])
        result = case_advance(
            case=case,
            event=event,
            actor=recorded_by_hand("carrier" if offered.manual == "carrier" else "system", recorder=user),
            given=asked.given() if asked is not None else None,
            idempotency_key=key,
            manual_reason=form.cleaned_data["reason"],
        )
    except CaseError as exc:
        return _not_done(
            request, reference, exc, stale=stale, refused="Not recorded", typed=("manual", form), event=event
        )
    label = view.journey.states[result.case.state].label
    whose = WHOSE[offered.manual]
    messages.success(request, f"Recorded by hand for {whose}: {offered.label}. The case is now “{label}”.")
    return _back(reference)


def _why_not_by_hand(view: CaseView, event: str) -> str:
    """Why ``event`` isn't this person's to record by hand here, in words."""
    journey, case = view.journey, view.case
    label = journey.event_label(event) if event in journey.events else "that step"
    lead = Actor("staff", role="lead")
    if event in manual_events(journey, state=case.state, data=case.data, actor=lead):
        return f"only a lead, or the team that hands the case on to {view.owner_label}, may record “{label}” by hand"
    return f"“{label}” is not a step of the carrier or of Touchpoint that can be recorded by hand now"


@require_POST
@staff_required("agent")
def case_note(request: HttpRequest, reference: str) -> HttpResponse:
    view = _load(request, reference)
    form = NoteForm(request.POST)
    if not form.is_valid():
        return _render(request, view, status=400, bound={"note": _fresh(request, form, view)}, problem=unread(form))
    key = f"note:{form.cleaned_data['nonce']}"
    if _done_before(view, key):
        return _back(reference)
    try:
        case_note_add(
            case=_as_of(view, form.cleaned_data["version"]),
            author=_staff(request),
            text=form.cleaned_data["text"],
            idempotency_key=key,
        )
    except CaseError as exc:
        stale = "Your note was not saved; it is still in the box below."
        return _not_done(request, reference, exc, stale=stale, refused="Not saved", typed=("note", form))
    messages.success(request, "Internal note added (staff only; the customer never sees it).")
    return _back(reference)


@require_POST
@staff_required("agent")
def case_reply(request: HttpRequest, reference: str) -> HttpResponse:
    view = _load(request, reference)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        return _render(request, view, status=400, bound={"reply": _fresh(request, form, view)}, problem=unread(form))
    data = form.cleaned_data
    template = data["template"] if data["mode"] == "template" else ""
    text = data["text"] if data["mode"] == "own" else ""
    key = f"reply:{data['nonce']}"
    if _done_before(view, key):
        return _back(reference)
    try:
        if "preview" in request.POST:
            draft = reply_draft(case=view.case, author=_staff(request), template=template, text=text)
            return _render(request, view, bound={"reply": _fresh(request, form, view)}, preview=draft)
        case_reply_send(
            case=_as_of(view, data["version"]),
            author=_staff(request),
            template=template,
            text=text,
            idempotency_key=key,
        )
    except ReplyInvalid as exc:
        form.add_error("template" if template else "text", str(exc))
        return _render(request, view, status=400, bound={"reply": form})
    except CaseError as exc:
        stale = "Your reply was not sent; it is still in the box below."
        return _not_done(request, reference, exc, stale=stale, refused="Not sent", typed=("reply", form))
    words = view.journey.touchpoints.get(template, "")
    sent = f"the persona message “{words}”" if template else "your reply"
    messages.success(request, f"Sent {sent} to {view.case.customer.email} (it leaves through the outbox).")
    return _back(reference)


@require_POST
@staff_required("agent")
def case_assign_view(request: HttpRequest, reference: str) -> HttpResponse:
    view = _load(request, reference)
    form = AssignForm(request.POST)
    if not form.is_valid():
        return _render(request, view, status=400, problem="That assignment could not be read; reload the page.")
    wanted = form.cleaned_data["assignee"]
    assignee = None
    if wanted:
        assignee = next((s for s in view.assignable if str(s.pk) == wanted), None)
        if assignee is None:
            form.add_error("assignee", "Choose someone from the list: a member of the owning team, or a lead.")
            return _render(request, view, status=400, bound={"assign": form})
    key = f"assign:{form.cleaned_data['nonce']}"
    if _done_before(view, key):
        return _back(reference)
    try:
        updated = case_assign(
            case=_as_of(view, form.cleaned_data["version"]),
            assignee=assignee,
            actor=_staff(request),
            idempotency_key=key,
        )
    except CaseError as exc:
        stale = "The case was not reassigned: check who has it now, then choose again."
        return _not_done(request, reference, exc, stale=stale, refused="Not reassigned")
    queue = owner_words(updated.owner, view.team_names)
    who = f"assigned to {updated.assignee}" if updated.assignee else f"back in the {queue} queue"
    messages.success(request, f"{reference} is {who}.")
    return _back(reference)


@require_POST
@staff_required("agent")
def case_accept(request: HttpRequest, reference: str) -> HttpResponse:
    view = _load(request, reference)
    form = AcceptForm(request.POST)
    if not form.is_valid():
        return _render(request, view, status=400, problem="That could not be read; reload the page.")
    try:
        case_accept_handoff(case=_as_of(view, form.cleaned_data["version"]), actor=staff_actor(_staff(request)))
    except CaseError as exc:
        stale = "The handoff was not accepted by you: see who has it now."
        return _not_done(request, reference, exc, stale=stale, refused="Not accepted")
    messages.success(request, f"You accepted the handoff: {reference} is {view.owner_label}'s now, and yours to move.")
    return _back(reference)
