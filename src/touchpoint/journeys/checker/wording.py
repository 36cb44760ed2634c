"""Small helpers that put a finding into words: a guess at a misspelt name, a short list, "a and b"."""

from __future__ import annotations

import difflib


def suggest(name: str, known: list[str], otherwise: str) -> str:
    guess = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    return f"did you mean `{guess[0]}`?" if guess else otherwise


def listing(names: list[str], limit: int = 8) -> str:
    shown = ", ".join(f"`{n}`" for n in names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def and_words(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def show(value: object) -> str:
    if value is None:
        return "missing"
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value) if isinstance(value, str) else str(value)


def arrows(states: list[str]) -> str:
    return " → ".join(f"`{s}`" for s in states)


def or_words(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]
