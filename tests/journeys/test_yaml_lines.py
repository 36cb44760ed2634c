"""YAML with line numbers (journeys/yaml_lines.py): one reader for journey and policy files, so
both refuse the same things in the same words at the same place, each with its own code letter."""

from __future__ import annotations

import pytest

from touchpoint.journeys.diagnostics import JourneyLoadError, Location
from touchpoint.journeys.loader import parse_journey
from touchpoint.journeys.yaml_lines import SourceMap, YamlProblem, build_data, read_documents
from touchpoint.remedies.policy import PolicyLoadError, parse_policy

# (text, number, where): each problem the shared reader finds, before any loader reads meaning
PROBLEMS = [
    ("name: a\nname: b\n", "004", Location("f.yaml", 2, 1)),
    ("a: [1, 2\n", "010", Location("f.yaml", 2, 1)),
    ("a: &x 1\nb: *x\n", "006", Location("f.yaml", 2, 4)),
    ("a: !!binary aGk=\n", "008", Location("f.yaml", 1, 4)),
    ("a: !thing 1\n", "009", Location("f.yaml", 1, 4)),
    ("? [a]\n: 1\n", "007", Location("f.yaml", 1, 3)),
    ("a: 1\n---\nb: 2\n", "011", Location("f.yaml", 3, 1)),
]


@pytest.mark.parametrize(("text", "number", "where"), PROBLEMS)
def test_a_journey_and_a_policy_get_the_same_problem_at_the_same_place(text: str, number: str, where: Location) -> None:
    with pytest.raises(JourneyLoadError) as journey:
        parse_journey(text, "f.yaml")
    with pytest.raises(PolicyLoadError) as policy:
        parse_policy(text, "f.yaml")
    (for_journey,) = journey.value.diagnostics
    (for_policy,) = policy.value.diagnostics
    assert (for_journey.code, for_policy.code) == ("L" + number, "P" + number)
    assert for_journey.location == for_policy.location == where
    # the same words, but each file is called what it is
    assert for_journey.message.replace("journey", "policy") == for_policy.message


@pytest.mark.parametrize("tagged", ["a: !thing 1\n", "a: !thing {b: 1}\n", "a: !!set {b: null}\n"])
def test_an_unknown_tag_says_what_kind_of_file_holds_only_plain_data(tagged: str) -> None:
    # given the same tagged value in a journey file and in a policy file
    with pytest.raises(JourneyLoadError) as journey:
        parse_journey(tagged, "f.yaml")
    with pytest.raises(PolicyLoadError) as policy:
        parse_policy(tagged, "f.yaml")
    (for_journey,) = journey.value.diagnostics
    (for_policy,) = policy.value.diagnostics
    # then each loader names its own kind of file, and never the other's
    assert (for_journey.code, for_policy.code) == ("L009", "P009")
    assert "a journey holds plain mappings, lists and values" in for_journey.message
    assert "a policy holds plain mappings, lists and values" in for_policy.message
    assert "journey" not in for_policy.message


def test_only_a_problem_about_the_kind_of_file_is_fixed_in_its_own_words() -> None:
    text = "a: 1\n---\nb: 2\n"
    with pytest.raises(JourneyLoadError) as journey:
        parse_journey(text, "f.yaml")
    with pytest.raises(PolicyLoadError) as policy:
        parse_policy(text, "f.yaml")
    assert journey.value.diagnostics[0].fix == "put each journey in its own file"
    assert policy.value.diagnostics[0].fix == "keep one policy per file"


def test_the_source_map_says_where_each_key_value_and_text_is() -> None:
    (root,) = read_documents("states:\n  a:\n    label: 'Hello'\n    owner: customer\n", "f.yaml")
    source = SourceMap("f.yaml")
    data = build_data(root, source, what="journey")
    assert data == {"states": {"a": {"label": "Hello", "owner": "customer"}}}
    assert source.at(("states", "a"), key=True) == Location("f.yaml", 2, 3)
    assert source.at(("states", "a", "owner")) == Location("f.yaml", 4, 12)
    assert source.texts[("states", "a", "label")] == (3, 13)  # the H, inside the quote
    assert source.at(("states", "a", "missing")) == Location("f.yaml", 3, 5)  # its nearest known place


def test_a_problem_is_a_diagnostic_with_the_letter_the_loader_gives() -> None:
    problem = YamlProblem("010", "yaml-syntax", "bad", "fix it", Location("f.yaml", 1, 1))
    assert problem.diagnostic("L").code == "L010"
    assert problem.diagnostic("P", {"010": "fix it here"}).fix == "fix it here"
