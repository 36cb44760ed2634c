"""The remedies forms: one per remedy on the case's panel (give it, or ask a lead), and the lead's
decision on a request. Their templates (``console/remedies/_panel.html#field``) tie each field to its hint
and its error for screen readers."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any, TypedDict

from django import forms
from django.forms import BoundField

from touchpoint.core.forms import MoneyField
from touchpoint.remedies.money import currency
from touchpoint.remedies.services.remedies import MAX_REASON, RemedyOption

REASON_HINT = "Recorded with the remedy; the customer isn't shown it"
HIDDEN = ("version", "nonce")


class FieldView(TypedDict):
    """What the ``field`` partial (``_panel.html``) draws of one field, worked out once in Python. A
    template reads a dict by one lookup, where each read of a BoundField's attribute first fails as an
    index, then calls a property; the case view draws a dozen of these fields."""

    id: str
    name: str
    label: str
    value: str  # as typed (or the initial value), "" for none
    textarea: bool
    max_length: int | None
    required: bool
    hint: str
    errors: str  # the field's errors in one sentence, "" for none
    described: str  # the ids of its error and hint, for aria-describedby


def field_view(bound: BoundField) -> FieldView:
    value = bound.value()
    errors = " ".join(str(e) for e in bound.errors)
    hint = str(bound.help_text or "")
    described = " ".join(
        part for part, shown in ((f"{bound.auto_id}-error", errors), (f"{bound.auto_id}-hint", hint)) if shown
    )
    return FieldView(
        id=str(bound.auto_id),
        name=bound.html_name,
        label=str(bound.label),
        value="" if value is None else str(value),
        textarea=bound.widget_type == "textarea",
        max_length=getattr(bound.field, "max_length", None),
        required=bound.field.required,
        hint=hint,
        errors=errors,
        described=described,
    )


class _Drawn:
    """A form whose visible fields the ``field`` partial draws from ``form.shown.<name>``."""

    @cached_property
    def shown(self) -> dict[str, FieldView]:
        assert isinstance(self, forms.Form)
        return {bound.name: field_view(bound) for bound in self.visible_fields()}


def amount_hint(option: RemedyOption) -> str:
    if option.can_apply:
        return f"You may give up to {option.remaining_text} on this case"
    return f"Over your limit here: a lead can approve up to {option.ceiling_text}"


class RemedyForm(_Drawn, forms.Form):
    """One remedy given (``action=apply``) or asked of a lead (``action=ask``). Its inputs are named
    ``<kind>-<field>`` so the panel's forms stay apart; the service checks the amount against the
    policy again (a form edited in the browser can't give more)."""

    amount = MoneyField(required=False, label="Amount")
    reason = forms.CharField(max_length=MAX_REASON, label="Why", widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput)
    nonce = forms.CharField(max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args: Any, option: RemedyOption, **kwargs: Any) -> None:
        kwargs["prefix"] = option.kind  # one form per remedy on the page: ids stay unique
        super().__init__(*args, **kwargs)
        self.option = option
        if option.monetary:
            amount = self.fields["amount"]
            amount.label = f"Amount ({currency().upper()})"
            amount.widget.attrs.update({"inputmode": "decimal", "step": "0.01", "min": "0.01"})
            amount.help_text = amount_hint(option)
        else:
            del self.fields["amount"]
        self.fields["reason"].help_text = REASON_HINT

    @cached_property
    def drawn(self) -> dict[str, Any]:
        """What the panel's ``remedy`` partial draws of this form, its words worked out once here: the
        template reads each from a dict, where a lookup on the option and the form costs far more."""
        o = self.option
        remaining = o.remaining_text if o.can_apply else ""
        asks = f"A lead can approve up to {o.ceiling_text} and decides within {o.decide_within_text}."
        return {
            "kind": o.kind,
            "label": o.label,
            "give": f"Give {o.label.lower()}",
            "open": self.is_bound,
            "can_apply": o.can_apply,
            "can_ask": o.can_ask,
            "summary": f"you may give {remaining}" if o.can_apply else "over your limit: ask a lead",
            "limit": f"You may give {remaining} on this case now, no manager needed"
            if o.can_apply
            else "Over your limit on this case",
            "rule": o.allowance.rule_key if o.allowance.rule else "",
            "asks": asks if o.can_ask else "",
            "general": " ".join(self.general_errors()),
            "hidden": [(f.html_name, "" if f.value() is None else f.value(), f.auto_id) for f in self.hidden_fields()],
            "fields": list(self.shown.values()),
        }

    def general_errors(self) -> list[str]:
        """What has no field to stand beside: the form's own errors, and a hidden field's (an edited page)."""
        hidden = [f"(Hidden field {name}) {e}" for name in HIDDEN for e in self.errors.get(name, [])]
        return [str(e) for e in self.non_field_errors()] + hidden


@dataclass(frozen=True)
class _Shown:
    """Everything a fresh :class:`RemedyForm` shows of its option, and the shop's currency: equal words,
    equal form. The option rides along uncompared, to build the form from."""

    kind: str
    label: str
    monetary: bool
    can_apply: bool
    can_ask: bool
    remaining: str
    ceiling: str
    decide_within: str
    rule: str
    currency: str
    option: RemedyOption = field(compare=False, hash=False, repr=False)


@lru_cache(maxsize=512)
def _fresh(shown: _Shown) -> dict[str, Any]:
    return RemedyForm(option=shown.option).drawn


@dataclass(frozen=True)
class FreshRemedy:
    """A remedy's form as a fresh page draws it: ``drawn`` as :attr:`RemedyForm.drawn` would be with this
    page's version and nonce, and the ``key`` its fields are cached under. The form itself is built once
    per process for the words it shows (building six Django forms and reading their fields cost the case
    view ~2 ms a page); a refused POST is drawn from its bound :class:`RemedyForm` instead."""

    option: RemedyOption
    drawn: dict[str, Any]

    @classmethod
    def of(cls, option: RemedyOption, *, version: int, nonce: str) -> FreshRemedy:
        o = option
        rule = o.allowance.rule_key if o.allowance.rule else ""
        shown = _Shown(
            o.kind, o.label, o.monetary, o.can_apply, o.can_ask, o.remaining_text, o.ceiling_text,
            o.decide_within_text, rule, currency(), option,
        )  # fmt: skip
        drawn = _fresh(shown)
        values = {"version": str(version), "nonce": nonce}
        hidden = [(name, values[name.removeprefix(f"{o.kind}-")], id_) for name, _, id_ in drawn["hidden"]]
        # `key`: the panel's {% cache %} of the form's fields, under everything they show (repr(shown): the
        # option's words and the currency). Only a fresh form has one: a refused form shows what was typed.
        return cls(option, {**drawn, "hidden": hidden, "key": repr(shown)})


class DecideForm(_Drawn, forms.Form):
    reason = forms.CharField(
        max_length=2000,
        label="Why",
        help_text="If you decline, the customer is told this reason: write it for them",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
