"""Case data as a journey declares it: each field's type and meaning, and how a value is checked.

A journey lists the data its cases carry under ``data:``; guards may read only those fields, a
transition's ``sets:`` writes constants into them and its ``asks:`` takes values from whoever
records the event (a quote total, a rating). :func:`coerce` is the one place a value is checked
against its declaration: the loader uses it for constants, the engine for values given with an
event, and the web layers for what people type. Framework-free.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

DataType = Literal["text", "boolean", "integer", "number", "money", "choice", "address"]
DATA_TYPES: tuple[str, ...] = ("text", "boolean", "integer", "number", "money", "choice", "address")
TEXT_MAX = 2000
ADDRESS_PARTS = ("name", "line1", "line2", "town", "postcode", "country")
_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0", ""}
MONEY_MAX = Decimal("1000000")


class DataError(ValueError):
    """A value that its field's declaration can't hold; ``str()`` says what is wrong and what fits."""


def coerce(
    kind: str,
    value: Any,
    *,
    choices: tuple[str, ...] | list[str] | None = None,
    minimum: float | None = None,
    maximum: float | None = None,
) -> Any:
    """``value`` as a field of type ``kind`` stores it (JSON-ready), or :class:`DataError`.

    Text from a form is accepted where it reads unambiguously (``"yes"`` for a boolean, ``"39.00"``
    for money); money keeps at most two decimals and is stored as a number so guards compare it."""
    if kind == "text":
        if not isinstance(value, str):
            raise DataError("expected text")
        text = value.strip()
        if len(text) > TEXT_MAX:
            raise DataError(f"is longer than {TEXT_MAX:,} characters")
        return text
    if kind == "boolean":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
            return value.strip().lower() in _TRUE
        raise DataError("expected yes or no (true or false)")
    if kind == "choice":
        options = tuple(choices or ())
        if not isinstance(value, str) or value.strip() not in options:
            raise DataError(f"expected one of: {', '.join(options)}")
        return value.strip()
    if kind == "address":
        return _address(value)
    if kind in ("integer", "number", "money"):
        return _number(kind, value, minimum, maximum)
    raise DataError(f"unknown type `{kind}`")  # pragma: no cover - the model only allows DATA_TYPES


def _number(kind: str, value: Any, minimum: float | None, maximum: float | None) -> int | float:
    if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
        raise DataError("expected a number")
    try:
        number = Decimal(value.strip() if isinstance(value, str) else str(value))
    except InvalidOperation:
        raise DataError("expected a number, like 39 or 39.00") from None
    if not number.is_finite():
        raise DataError("expected a number, like 39 or 39.00")
    if kind == "integer":
        if number != number.to_integral_value():
            raise DataError("expected a whole number")
        out: int | float = int(number)
    elif kind == "money":
        if abs(number) >= MONEY_MAX or number != number.quantize(Decimal("0.01")):
            raise DataError("expected an amount with at most two decimals, like 39.00")
        out = float(number)
    else:
        if abs(number) >= Decimal("1e15"):
            raise DataError("is too large")
        out = float(number)
    if minimum is not None and out < minimum:
        raise DataError(f"must be at least {_plain(minimum)}")
    if maximum is not None and out > maximum:
        raise DataError(f"must be at most {_plain(maximum)}")
    return out


def _plain(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)


def _address(value: Any) -> dict[str, str]:
    if not isinstance(value, Mapping):
        raise DataError(f"expected an address with the parts {', '.join(ADDRESS_PARTS)}")
    unknown = sorted(set(value) - set(ADDRESS_PARTS))
    if unknown:
        raise DataError(f"an address has no part `{unknown[0]}` (its parts: {', '.join(ADDRESS_PARTS)})")
    out: dict[str, str] = {}
    for part in ADDRESS_PARTS:
        piece = value.get(part, "")
        if not isinstance(piece, str) or len(piece) > 200:
            raise DataError(f"the address's `{part}` must be text of at most 200 characters")
        out[part] = piece.strip()
    return out
