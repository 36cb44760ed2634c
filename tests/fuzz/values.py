"""What the fuzzing types into fields, URL parameters and webhook bodies: the values that broke
Python's own parsers before (unicode digits, underscores, exponents, 309 nines, NaN), empty and
very long strings, nested JSON, any text, and the page's own good values so a request gets past
its first check and into the code behind it."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import strategies as st

# Each of these broke a parser somewhere once: "²".isdigit() is true and int("²") fails; int() and
# Decimal() take "1_000" and digits of other scripts; Decimal("1E+30").quantize() raises; a float
# can't hold 309 nines; json.loads recurses once per "[".
SPECIAL = [
    "",
    " ",
    "0",
    "-0",
    "-1",
    "1",
    "²",
    "¹",
    "٣",
    "١٢",
    "𝟗",
    "½",
    "1_000",
    "1,000.00",
    "£39.00",
    "39.001",
    "1E+30",
    "1e999999",
    "-1e-999999",
    "NaN",
    "nan",
    "sNaN",
    "Infinity",
    "-Infinity",
    "inf",
    "9" * 19,
    "9" * 20,
    "9" * 309,
    "9" * 5000,
    "0x10",
    "0o7",
    "1.",
    ".5",
    "+3",
    " 3 ",
    "3\n",
    "\x00",
    "a\x00b",
    "\t",
    "\u202e",
    "\ufeff1",
    "true",
    "false",
    "null",
    "None",
    "[]",
    "{}",
    "[" * 1000 + "]" * 1000,
    "../../etc/passwd",
    "%00",
    "%C2%B2",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    '=HYPERLINK("http://x")',
    "x" * 5000,
    "é" * 3000,
    "TP-00000",
    "approve",
    "decline",
    "yes",
    "no",
    "on",
]

# The sweep sends each of these in every field a view reads, all at once, before the random examples.
KILLERS = ["²", "٣", "1_000", "1E+30", "9" * 309, "NaN", "-1", "", "x" * 5000, "[" * 200 + "]" * 200, "\x00"]

TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)  # surrogates can't be sent as UTF-8
NUMBERS = st.one_of(
    st.integers().map(str),
    st.integers(min_value=2**31 - 2, max_value=2**64 + 2).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=12,
)
ONE = st.one_of(st.sampled_from(SPECIAL), NUMBERS, TEXT, JSON.map(json.dumps))
# One field's value: one string, or several for a name sent more than once (getlist).
VALUE = st.one_of(ONE, ONE, ONE, st.lists(ONE, min_size=0, max_size=3))


def path_value(converter: str) -> st.SearchStrategy[str]:
    """A value for a path parameter its converter lets through to the view."""
    if converter == "int":
        return st.one_of(st.integers(min_value=0).map(str), st.sampled_from(["0", "9" * 19, "9" * 20, "9" * 400]))
    if converter == "slug":
        return st.from_regex(r"\A[-a-zA-Z0-9_]{1,60}\Z")
    safe = st.characters(blacklist_categories=("Cs",), blacklist_characters="/?#%")
    plain = [s for s in SPECIAL if s and "/" not in s and "?" not in s]
    return st.one_of(st.sampled_from(plain), st.text(safe, min_size=1, max_size=60))


def stripe_event(good: dict[str, Any]) -> st.SearchStrategy[Any]:
    """A Stripe event's JSON: the real shapes with any field replaced, or anything at all."""
    kinds = [
        "checkout.session.completed",
        "checkout.session.async_payment_succeeded",
        "checkout.session.async_payment_failed",
        "checkout.session.expired",
        "refund.updated",
        "refund.failed",
        "charge.refund.updated",
        "customer.created",
    ]
    obj_keys = ["id", "amount_total", "amount", "currency", "payment_status", "payment_intent", "status"]
    obj = st.fixed_dictionaries(
        {}, optional={key: st.one_of(st.just(good.get(key)), JSON, st.sampled_from(SPECIAL)) for key in obj_keys}
    )
    event = st.fixed_dictionaries(
        {
            "id": st.one_of(st.text(min_size=1, max_size=300), st.sampled_from(SPECIAL), JSON),
            "type": st.one_of(st.sampled_from(kinds), TEXT, JSON),
        },
        optional={"data": st.one_of(st.fixed_dictionaries({"object": obj}), JSON), "object": st.just("event")},
    )
    return st.one_of(event, event, event, JSON)
