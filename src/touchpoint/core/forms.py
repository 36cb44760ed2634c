"""Form fields shared by every surface that takes numbers from people: amounts of money and whole
numbers (a case version, a quote's id) as people and pages write them, refused with a clear
message when they aren't. Python's own parsers are too lenient for that: ``Decimal`` and ``int``
take ``1_000``, ``1E+30``, ``NaN`` and digits of any script, and ``"²".isdigit()`` is true while
``int("²")`` fails. Views take numbers through these fields (or Django's), never by hand."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

# An amount as people write it: an optional minus, an optional currency sign, ASCII digits (in
# groups of three with commas, or not), an optional point and decimals. Nothing else.
MONEY = re.compile(
    r"(?P<minus>-)?\s*(?:[A-Z]{1,2}\$|[£€$])?\s*"
    r"(?P<whole>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)?(?P<fraction>\.[0-9]*)?",
    re.ASCII,
)
EXPONENT = re.compile(r"[-+]?[0-9.,]*[0-9][eE][-+]?[0-9]+", re.ASCII)
WHOLE = re.compile(r"[0-9]{1,19}", re.ASCII)
VERSION_MAX = 2**31 - 1  # a PositiveIntegerField everywhere
ID_MAX = 2**63 - 1  # a BigAutoField
MONEY_MAX = Decimal("99999999.99")  # ten digits, two of them decimals: what the models store


class MoneyField(forms.DecimalField):
    """An amount of money: ``39``, ``39.50``, ``£1,000.00``; never ``1_000``, ``1E+30``, ``NaN`` or
    digits of another script. At most two decimals and :data:`MONEY_MAX` by default, as the models store."""

    # A text input, not type=number: browsers would refuse "£39.00" and "1,000.00" before we see them.
    widget = forms.TextInput

    default_error_messages = {
        "invalid": "Enter an amount like 39.00.",
        "max_value": "That amount is too large: the most is %(limit_value)s.",
        "underscore": "Write the amount without underscores, like 1000.00 or 1,000.00.",
        "exponent": "Write the amount in full, like 39.00 (not 1E+30).",
        "max_decimal_places": "Use at most two decimals, like 39.00.",
    }

    def __init__(self, *, max_value: Decimal | None = MONEY_MAX, decimal_places: int | None = 2, **kwargs: Any) -> None:
        # The bounds say how large; no max_digits, so a large amount gets one message, not two.
        super().__init__(max_value=max_value, decimal_places=decimal_places, **kwargs)
        self.widget.attrs.setdefault("inputmode", "decimal")  # the phone's number pad, with a point

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]  # the stubs give IntegerField's
        if value in self.empty_values:
            return None
        if isinstance(value, Decimal | int) and not isinstance(value, bool):  # an initial value, not typed
            return Decimal(value)
        return money_parse(str(value), self.error_messages)


def money_parse(typed: str, messages: dict[str, Any]) -> Decimal:
    """``typed`` as an amount, or a ValidationError whose message (from ``messages``) says why not."""
    text = typed.strip()
    if "_" in text:
        raise ValidationError(messages["underscore"], code="underscore")
    if EXPONENT.fullmatch(text):
        raise ValidationError(messages["exponent"], code="exponent")
    found = MONEY.fullmatch(text)
    if found is None or not (found["whole"] or (found["fraction"] or ".")[1:]):
        raise ValidationError(messages["invalid"], code="invalid")
    number = (found["minus"] or "") + (found["whole"] or "0").replace(",", "") + (found["fraction"] or "")
    try:
        return Decimal(number.rstrip("."))
    except InvalidOperation:  # the pattern allows nothing Decimal refuses; kept as a 400, never a 500
        raise ValidationError(messages["invalid"], code="invalid") from None


class WholeNumberField(forms.IntegerField):
    """A whole number a page carries (a version, an id): ASCII digits only, and a number a database
    column can hold. ``int()`` alone takes ``1_000``, ``+3`` and digits of other scripts."""

    def __init__(self, *, min_value: int | None = 1, max_value: int | None = VERSION_MAX, **kwargs: Any) -> None:
        super().__init__(min_value=min_value, max_value=max_value, **kwargs)

    def to_python(self, value: Any) -> int | None:
        if value in self.empty_values:
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        number = whole_number(str(value), most=None)
        if number is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return number


def whole_number(text: str, *, most: int | None = ID_MAX) -> int | None:
    """``text`` as a whole number written in ASCII digits (an id, a version), at most ``most``;
    None for anything else. For a value a page carries where a form field doesn't fit."""
    text = text.strip()
    if not WHOLE.fullmatch(text):
        return None
    number = int(text)
    return number if most is None or number <= most else None


class ModelChoicesField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    """Django's multiple model choice, refusing what can't be an id before asking the database: a
    number past the database's integer would otherwise reach it (OverflowError on SQLite, a 500)."""

    def clean(self, value: Any) -> Any:
        for item in value if isinstance(value, list | tuple) else ():
            if whole_number(str(item)) is None:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": item}
                )
        return super().clean(value)


# For a ModelAdmin whose model keeps money in DecimalFields: its forms take amounts as every other form does.
MONEY_ADMIN_FIELDS: dict[type[models.Field[Any, Any]], dict[str, Any]] = {
    models.DecimalField: {"form_class": MoneyField}
}
