"""Themes: planted clusters in a generated set are found, the same way every run for a fixed seed,
and a new text is matched to the theme it belongs to."""

from __future__ import annotations

import random

import pytest

from touchpoint.text.themes import find_themes

# Each planted theme has its own words; every text mixes a few of them with words any customer uses.
PLANTED = {
    "battery": ["battery", "drains", "charge", "charging", "dies", "percentage", "overnight", "life"],
    "courier": ["courier", "parcel", "delivered", "tracking", "doorstep", "knocked", "depot", "neighbour"],
    "screen": ["screen", "pixel", "flickers", "cracked", "glass", "touch", "brightness", "display"],
}
COMMON = ["repair", "after", "week", "really", "phone", "again", "still", "days", "shop", "fixed"]


def generated(seed: int, per_theme: int = 10) -> tuple[list[str], list[str]]:
    rng = random.Random(seed)
    texts, truth = [], []
    for label, words in PLANTED.items():
        for _ in range(per_theme):
            chosen = [label, *rng.sample(words[1:], 3), *rng.sample(COMMON, 3)]
            rng.shuffle(chosen)
            texts.append(" ".join(chosen))
            truth.append(label)
    order = list(range(len(texts)))
    rng.shuffle(order)
    return [texts[i] for i in order], [truth[i] for i in order]


@pytest.mark.parametrize("data_seed", [7, 8, 9])
def test_planted_clusters_are_separated_exactly(data_seed: int) -> None:
    texts, truth = generated(data_seed)
    model = find_themes(texts, seed=0)
    assert len(model.themes) == 3
    groups = sorted(sorted({truth[i] for i in theme.members}) for theme in model.themes)
    assert groups == [["battery"], ["courier"], ["screen"]]
    assert sorted(len(theme.members) for theme in model.themes) == [10, 10, 10]
    for theme in model.themes:
        label = truth[theme.members[0]]
        assert label in theme.terms  # the planted word is among the words that name it
        assert all(truth[i] == label for i in theme.examples)


def test_the_same_seed_gives_the_same_themes() -> None:
    texts, _ = generated(7)
    first, second = find_themes(texts, seed=3), find_themes(texts, seed=3)
    assert [(t.members, t.terms, t.examples) for t in first.themes] == [
        (t.members, t.terms, t.examples) for t in second.themes
    ]


def test_a_new_text_matches_its_theme_and_an_unrelated_one_none() -> None:
    texts, truth = generated(11)
    model = find_themes(texts, seed=0)
    battery = next(i for i, t in enumerate(model.themes) if truth[t.members[0]] == "battery")
    assert model.match("my battery drains overnight and dies by lunch") == battery
    assert model.match("lovely people, would recommend to friends") is None


def test_too_few_or_unrelated_texts_make_no_themes() -> None:
    assert find_themes(["great", "bad", "ok"]).themes == []
    unrelated = ["apples oranges", "violin lessons", "mortgage rates", "garden fence", "train times", "tax return"]
    assert find_themes(unrelated).themes == []
