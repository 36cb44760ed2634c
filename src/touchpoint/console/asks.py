"""The small form an event gets when its transitions ``asks:`` for values: one field per value, typed
from the journey's declaration (a boolean is Yes/No, a choice a select, a number an input with its
``min``/``max``), with the errors beside the fields. Used by the case view's actions and by its
carrier's steps recorded by hand; the journey checks every value again when the event is recorded."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from touchpoint.console.reads.actions import Ask
from touchpoint.core.forms import MoneyField
from touchpoint.journeys.data import ADDRESS_PARTS, TEXT_MAX

YES_NO = [("yes", "Yes"), ("no", "No")]


class AsksForm(forms.Form):
    """The values an event asks for (its transitions' ``asks``), one field each, typed by the journey's
    declaration; ``given()`` hands them to the journey, which checks them again."""

    asks: tuple[Ask, ...] = ()

    def given(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for ask in self.asks:
            value = self.cleaned_data.get(ask.name)
            if ask.type == "boolean":
                out[ask.name] = value == "yes"
            elif ask.type == "address":
                lines = [line.strip() for line in str(value or "").splitlines()]
                out[ask.name] = dict(zip(ADDRESS_PARTS, lines, strict=False))
            else:
                out[ask.name] = value if value is not None else ""
        return out

    def refused(self, raw: str, words: str) -> bool:
        """Put the journey's refusal (``words``) beside the field its ``raw`` reason names; True when it
        named one."""
        for ask in self.asks:
            if f"`{ask.name}`" in raw:
                self.add_error(ask.name, words[:1].upper() + words[1:] + ".")
                return True
        return False


def _ask_field(ask: Ask) -> forms.Field:
    hint = ask.meaning if ask.meaning.rstrip(".") != ask.label else ""
    common: dict[str, Any] = {"label": ask.label, "help_text": hint}
    low = None if ask.minimum is None else Decimal(str(ask.minimum))
    high = None if ask.maximum is None else Decimal(str(ask.maximum))
    if ask.type == "boolean":
        chosen = {"required": "Choose yes or no.", "invalid_choice": "Choose yes or no."}
        return forms.ChoiceField(choices=YES_NO, widget=forms.RadioSelect, error_messages=chosen, **common)
    if ask.type == "choice":
        chosen = {"required": "Choose one from the list.", "invalid_choice": "Choose one from the list."}
        return forms.ChoiceField(choices=[("", "Choose…"), *ask.choices], error_messages=chosen, **common)
    if ask.type == "integer":
        return forms.IntegerField(
            min_value=None if low is None else int(low),
            max_value=None if high is None else int(high),
            error_messages={"required": "Enter a whole number.", "invalid": "Enter a whole number, like 3."},
            **common,
        )
    if ask.type in ("number", "money"):
        field_class = MoneyField if ask.type == "money" else forms.DecimalField
        return field_class(
            min_value=low,
            max_value=high,
            max_digits=12,
            decimal_places=2 if ask.type == "money" else None,
            error_messages={
                "required": "Enter an amount, like 25.00." if ask.type == "money" else "Enter a number.",
                "invalid": "Enter an amount, like 25.00." if ask.type == "money" else "Enter a number, like 2.5.",
                "max_decimal_places": "Use at most two decimal places, like 25.50.",
            },
            **common,
        )
    if ask.type == "address":
        common["help_text"] = "One part a line: name, first line, second line, town, postcode, country."
        return forms.CharField(max_length=1300, widget=forms.Textarea(attrs={"rows": 6}), **common)
    return forms.CharField(required=False, max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3}), **common)


def asks_form(event: str, asks: tuple[Ask, ...], data: Any = None) -> AsksForm:
    """The form for ``event``'s asked values; its inputs are named ``<event>-<field>`` so several such
    forms can share a page."""
    fields = {ask.name: _ask_field(ask) for ask in asks}
    form_class = type(f"{event.title().replace('_', '')}Asks", (AsksForm,), {**fields, "asks": asks})
    form: AsksForm = form_class(data, prefix=event, auto_id="ask-%s")  # ids: ask-<event>-<field>
    if data is not None:
        form.is_valid()
        for name in form.errors:
            if name in form.fields:  # say which message belongs to the field (aria-invalid is Django's)
                form.fields[name].widget.attrs["aria-describedby"] = f"ask-{event}-{name}-error"
    return form
