"""The parcel's tracking number and carrier, as the customer gives them on their case page: with "I've
posted my device" (optional) or on their own while the parcel travels (``views/parcels.py``)."""

from __future__ import annotations

from typing import Any

from django import forms

from touchpoint.shipping.carriers.slugs import NAMES
from touchpoint.shipping.given import NumberRefused, tracking_number_read

OTHER = "other"
CARRIERS = [*((name, name) for name in NAMES.values()), (OTHER, "Another carrier, or I'm not sure")]
TYPED_MAX = 80  # what the box takes: room for spaces between the groups of a long number


def parcel_fields(*, required: bool) -> dict[str, forms.Field]:
    """The two fields, to add to a form: the number (refused in words when it can't be one) and its carrier."""
    return {
        "tracking_number": forms.CharField(
            label="Tracking number",
            required=required,
            max_length=TYPED_MAX,
            error_messages={
                "required": "Type the tracking number from your receipt.",
                "max_length": "That's longer than any tracking number we know: please check your receipt.",
            },
        ),
        "carrier": forms.ChoiceField(
            label="Who's carrying it?",
            choices=CARRIERS,
            initial=CARRIERS[0][0],
            required=False,
            error_messages={"invalid_choice": "Choose one of the carriers listed, or “Another carrier”."},
        ),
    }


def parcel_clean(form: forms.Form, cleaned: dict[str, Any]) -> None:
    """Check the typed number's shape (where it is, the database is asked later: ``shipping.given``)."""
    typed = str(cleaned.get("tracking_number") or "")
    if typed.strip():
        try:
            tracking_number_read(typed)
        except NumberRefused as refused:
            form.add_error("tracking_number", refused.message)


def parcel_given(cleaned: dict[str, Any]) -> tuple[str, str] | None:
    """(number as typed, carrier as the shop names it, blank for another or not sure), or None when no
    number was given."""
    typed = str(cleaned.get("tracking_number") or "").strip()
    if not typed:
        return None
    carrier = str(cleaned.get("carrier") or "")
    return typed, "" if carrier == OTHER else carrier


class ParcelForm(forms.Form):
    """The number given on its own, while the parcel travels."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "parcel")
        super().__init__(*args, **kwargs)
        self.fields.update(parcel_fields(required=True))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        parcel_clean(self, cleaned)
        return cleaned
