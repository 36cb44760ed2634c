"""Which first lines count as a clear answer: short, plain phrases only; anything else is for a person."""

from __future__ import annotations

import pytest

from touchpoint.inbox.intents import has_more_than_first_line, intent_of


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("Plain please.", "plain"),
        ("STOP THE JOKES!", "plain"),
        ("No more jokes, please", "plain"),
        ("\n\n  no more jokes\n> quoted", "plain"),
        ("Jokes are fine :)", "playful"),
        ("Yes", "yes"),
        ("Yes, go ahead!", "yes"),
        ("yes please, thanks", "yes"),
        ("I approve.", "yes"),
        ("No thanks", "no"),
        ("Decline", "no"),
        ("Don't go ahead", "no"),
    ],
)
def test_clear_phrases_are_recognised(text: str, intent: str) -> None:
    assert intent_of(text) == intent


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Yes but only if it costs less than £50",
        "How much is it?",
        "no idea, what do you think?",
        "Plain text is fine but where is my phone",
        "yes no",
        "Thanks",
    ],
)
def test_anything_else_is_not_an_intent(text: str) -> None:
    assert intent_of(text) is None


def test_more_than_one_line_is_noticed() -> None:
    assert (has_more_than_first_line("Yes\n\n"), has_more_than_first_line("Yes\nAlso the screen")) == (False, True)
