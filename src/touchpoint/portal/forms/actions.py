"""The customer's action forms: what every action posts (the event, the page's version, a one-off
nonce), and the values an action asks for, as typed fields built from the journey's declarations."""

from __future__ import annotations

import dataclasses
import secrets
from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings

from touchpoint.core.forms import MoneyField
from touchpoint.journeys.data import ADDRESS_PARTS, MONEY_MAX, TEXT_MAX, DataError
from touchpoint.journeys.model import NAME_PATTERN, DataField
from touchpoint.portal.actions import Action, readable
from touchpoint.portal.forms.parcel import parcel_clean, parcel_fields, parcel_given

NONCE_PATTERN = r"^[A-Za-z0-9_-]{16,64}$"
YES_NO = [("yes", "Yes"), ("no", "No")]
ADDRESS_LABELS = {
    "name": "Name",
    "line1": "Address line 1",
    "line2": "Address line 2",
    "town": "Town or city",
    "postcode": "Postcode",
    "country": "Country",
}
NUMBER_LIMIT = Decimal("1e15")


def new_nonce() -> str:
    return secrets.token_urlsafe(16)


class ActForm(forms.Form):
    """What every action posts besides its own values."""

    event = forms.RegexField(regex=NAME_PATTERN, max_length=80)
    version = forms.IntegerField(min_value=1, max_value=2**31 - 1)
    nonce = forms.RegexField(regex=NONCE_PATTERN)
    confirm = forms.BooleanField(required=False)  # "yes" once the customer said they're sure


@dataclasses.dataclass
class Shown:
    """One asked value as the template draws it: radios, a text box, a number, or an address's parts."""

    kind: str  # radios | text | number | address
    label: str
    field: forms.BoundField | None = None
    parts: list[forms.BoundField] = dataclasses.field(default_factory=list)
    inputmode: str = ""


def _required(label: str) -> dict[str, str]:
    return {"required": f"Please answer “{label}”."}


def _decimal(bound: float | None) -> Decimal | None:
    """A declared bound as people write it: 0, not 0.0."""
    if bound is None:
        return None
    return Decimal(int(bound)) if float(bound).is_integer() else Decimal(str(bound))


def _number_field(declared: DataField, label: str) -> forms.Field:
    low = _decimal(declared.min)
    high = _decimal(declared.max)
    messages = {
        **_required(label),
        "min_value": "It must be at least %(limit_value)s.",
        "max_value": "It must be at most %(limit_value)s.",
    }
    if declared.type == "integer":
        return forms.IntegerField(
            label=label,
            min_value=int(low) if low is not None else -(10**15),
            max_value=int(high) if high is not None else 10**15,
            error_messages={**messages, "invalid": "Enter a whole number, like 3."},
        )
    places = 2 if declared.type == "money" else 6
    # Just inside what the journey stores (it refuses an amount of MONEY_MAX or more).
    top = MONEY_MAX - Decimal("0.01") if declared.type == "money" else NUMBER_LIMIT - 1
    field_class = MoneyField if declared.type == "money" else forms.DecimalField
    return field_class(
        label=label,
        min_value=low if low is not None else -top,
        max_value=high if high is not None else top,
        decimal_places=places,
        error_messages={
            **messages,
            "invalid": "Enter an amount like 39.00." if declared.type == "money" else "Enter a number, like 2.5.",
            "max_decimal_places": "Use at most two decimals, like 39.00."
            if declared.type == "money"
            else "Use at most six decimals.",
        },
    )


def _field_for(declared: DataField, label: str) -> forms.Field:
    invalid = {"invalid_choice": "Choose one of the answers shown."}
    if declared.type == "boolean":
        return forms.ChoiceField(label=label, choices=YES_NO, error_messages={**_required(label), **invalid})
    if declared.type == "choice":
        choices = [(value, readable(value)) for value in declared.choices or []]
        return forms.ChoiceField(label=label, choices=choices, error_messages={**_required(label), **invalid})
    if declared.type in ("integer", "number", "money"):
        return _number_field(declared, label)
    return forms.CharField(
        label=label,
        max_length=TEXT_MAX,
        error_messages={
            **_required(label),
            "max_length": f"Please keep it under {TEXT_MAX:,} characters (it's %(show_value)d now).",
        },
    )


class AskForm(forms.Form):
    """The values ``action`` asks for (its transition's ``asks:``), and the customer's words when it
    takes them. Prefixed with the event, so two actions on one page never share an id."""

    def __init__(self, action: Action, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", action.event)
        super().__init__(*args, **kwargs)
        self.action = action
        for name, declared in action.asks:
            label = readable(name)
            if declared.type == "address":
                for part in ADDRESS_PARTS:
                    self.fields[f"{name}__{part}"] = forms.CharField(
                        label=ADDRESS_LABELS[part],
                        max_length=200,
                        required=part not in ("line2",),
                        error_messages={"required": f"Please fill in “{ADDRESS_LABELS[part]}”."},
                    )
            else:
                self.fields[name] = _field_for(declared, label)
        if action.words is not None:
            limit = min(TEXT_MAX, settings.TOUCHPOINT_PORTAL_MESSAGE_MAX_CHARS)
            self.fields["words"] = forms.CharField(
                label=action.words.label,
                required=action.words.required,
                max_length=limit,
                error_messages={
                    "required": "Tell us in a few words what went wrong: a person reads it.",
                    "max_length": f"Please keep it under {limit:,} characters (it's %(show_value)d now).",
                },
            )
        if action.parcel:
            self.fields.update(parcel_fields(required=False))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        # The journey's own check is the last word on each value (a bound the form didn't know, say).
        for name, declared in self.action.asks:
            key = name if declared.type != "address" else f"{name}__line1"
            if key not in cleaned:
                continue
            try:
                declared.check(self._raw(name, declared, cleaned))
            except DataError:
                self.add_error(key, "That answer doesn't fit here: please check it.")
        if self.action.parcel:
            parcel_clean(self, cleaned)
        return cleaned

    def _raw(self, name: str, declared: DataField, cleaned: dict[str, Any]) -> Any:
        if declared.type == "address":
            return {part: str(cleaned.get(f"{name}__{part}") or "") for part in ADDRESS_PARTS}
        value = cleaned[name]
        if declared.type == "boolean":
            return value == "yes"
        if isinstance(value, Decimal):
            return str(value)
        return value

    def given(self) -> dict[str, Any]:
        """The values to give the journey with the event (valid forms only)."""
        return {name: self._raw(name, declared, self.cleaned_data) for name, declared in self.action.asks}

    def words(self) -> str:
        return str(self.cleaned_data.get("words") or "").strip()

    def parcel(self) -> tuple[str, str] | None:
        """The parcel's tracking number and carrier when the customer gave them (valid forms only)."""
        return parcel_given(self.cleaned_data) if self.action.parcel else None

    def shown(self) -> list[Shown]:
        """The asked values, in the journey's order, as the template draws them."""
        out = []
        for name, declared in self.action.asks:
            label = readable(name)
            if declared.type == "address":
                out.append(Shown("address", label, parts=[self[f"{name}__{part}"] for part in ADDRESS_PARTS]))
            elif declared.type in ("boolean", "choice"):
                out.append(Shown("radios", label, self[name]))
            elif declared.type in ("integer", "number", "money"):
                mode = "numeric" if declared.type == "integer" else "decimal"
                out.append(Shown("number", label, self[name], inputmode=mode))
            else:
                out.append(Shown("text", label, self[name]))
        return out

    def typed(self) -> list[tuple[str, str]]:
        """What was posted for this action, as (name, value) pairs, to carry through a confirmation."""
        return [(self.add_prefix(name), str(self.data.get(self.add_prefix(name), ""))) for name in self.fields]
