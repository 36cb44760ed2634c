"""The case view's forms: what each action posts (the version the page showed and a one-off nonce,
besides its own fields), and what the templates read of a form on a fresh page."""

from __future__ import annotations

from typing import Any

from django import forms

from touchpoint.cases.services.notes import NOTE_MAX
from touchpoint.outbox.replies import REPLY_MAX

MANUAL_REASON_MAX = 300  # the timeline's summary keeps 500 characters, with the move's words around it


class _Guarded(forms.Form):
    """What every action posts besides its own fields: the version the page showed, a one-off nonce."""

    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    nonce = forms.CharField(max_length=64, widget=forms.HiddenInput)


class EventForm(_Guarded):
    event = forms.CharField(max_length=80)


class ManualForm(_Guarded):
    """A carrier's or the system's step, recorded by a person: why they know, and that they mean it."""

    event = forms.CharField(max_length=80)
    reason = forms.CharField(
        label="How do you know?",
        max_length=MANUAL_REASON_MAX,
        strip=True,
        error_messages={
            "required": "Say how you know, e.g. “the customer says the parcel arrived”.",
            "max_length": f"Keep it under {MANUAL_REASON_MAX} characters: the details can go in a note.",
        },
    )
    confirm = forms.BooleanField(
        error_messages={"required": "Tick the box to confirm you are recording this step in your name."}
    )


class NoteForm(_Guarded):
    text = forms.CharField(label="Internal note", max_length=NOTE_MAX, strip=True, widget=forms.Textarea)


class ReplyForm(_Guarded):
    mode = forms.ChoiceField(choices=[("template", "A persona message"), ("own", "In my own words")])
    template = forms.CharField(required=False, max_length=80)
    text = forms.CharField(required=False, max_length=REPLY_MAX, strip=True, widget=forms.Textarea)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("mode") == "own" and not data.get("text"):
            self.add_error("text", "Write your reply here, or choose a persona message instead.")
        if data.get("mode") == "template" and not data.get("template"):
            self.add_error("template", "Pick the persona message to send.")
        return data


class AssignForm(_Guarded):
    assignee = forms.CharField(required=False, max_length=20)  # a staff id, or "" for the team queue


class AcceptForm(_Guarded):
    """Accepting a handoff needs only the version and nonce every action carries."""


class _Unbound:
    """What the templates read of a form on a fresh page: every field empty, without errors. (A missing
    form would make each ``form.x.errors`` in the templates a failed lookup, which costs far more.)"""

    class _Field:
        value = ""
        errors = ()

    field = _Field()

    def __getitem__(self, name: str) -> _Field:
        return self.field


UNBOUND = _Unbound()


def unread(form: forms.Form) -> str:
    """A form whose hidden fields were lost or edited: say so (the visible fields carry their own errors)."""
    if "version" in form.errors or "nonce" in form.errors:
        return (
            "This page could not tell which version of the case you saw; what you typed is kept below: send it again."
        )
    return ""
