"""What a customer's first line asks for, when it asks for something we can do on our own.

Pure functions over text. Only clear, short answers count; anything else goes to a person."""

from __future__ import annotations

import re
from typing import Literal

Intent = Literal["plain", "playful", "yes", "no"]

_PHRASES: dict[Intent, tuple[str, ...]] = {
    "plain": (
        "plain please",
        "plain messages please",
        "plain messages",
        "plain",
        "stop the jokes",
        "stop joking",
        "no more jokes",
        "no jokes",
        "less jokes",
        "fewer jokes",
        "be serious",
        "serious please",
    ),
    "playful": (
        "jokes are fine",
        "jokes are ok",
        "jokes are okay",
        "jokes ok",
        "jokes welcome",
        "bring back the jokes",
    ),
    "yes": (
        "yes",
        "yes please",
        "yes go ahead",
        "yes go ahead please",
        "go ahead",
        "go ahead please",
        "approve",
        "approved",
        "i approve",
        "accept",
        "accepted",
        "i accept",
        "ok",
        "okay",
        "ok go ahead",
        "okay go ahead",
        "yes approved",
        "yes i approve",
    ),
    "no": (
        "no",
        "no thanks",
        "no thank you",
        "decline",
        "declined",
        "i decline",
        "reject",
        "rejected",
        "i reject",
        "do not go ahead",
        "dont go ahead",
        "no dont",
        "no do not",
    ),
}
_LOOKUP = {phrase: intent for intent, phrases in _PHRASES.items() for phrase in phrases}
_NOISE = re.compile(r"[^a-z0-9 ]+")
_COURTESY = {"thanks", "thank", "you", "cheers", "please"}


def first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip()
    return ""


def normalise(line: str) -> str:
    """Lower case, apostrophes dropped, punctuation and emphasis gone, single spaces, a trailing
    "thanks" or "please" tolerated."""
    cleaned = _NOISE.sub(" ", line.lower().replace("'", "").replace("’", ""))
    words = cleaned.split()
    while words and words[-1] in _COURTESY and " ".join(words) not in _LOOKUP:
        words.pop()
    return " ".join(words)


def intent_of(text: str) -> Intent | None:
    """The intent of the first non-empty line, or None when it isn't one of the clear phrases."""
    return _LOOKUP.get(normalise(first_line(text)))


def has_more_than_first_line(text: str) -> bool:
    """Did they write anything beyond the first line? Then a person reads the rest."""
    lines = [line for line in text.splitlines() if line.strip()]
    return len(lines) > 1
