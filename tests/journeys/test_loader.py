"""Loading: every kind of bad file gets a located diagnostic with its exact code, never a traceback.

Journeys are :data:`CLEAN` (see conftest) with one thing broken, so lines are those of ``CLEAN``
unless the test writes the file out itself.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.journeys.conftest import CLEAN, FILE, load, load_errors, where

from touchpoint.journeys.diagnostics import JourneyLoadError, Location, Severity
from touchpoint.journeys.loader import load_journey, parse_journey
from touchpoint.journeys.yaml_lines import MAX_BYTES


def test_a_clean_journey_loads_with_its_places() -> None:
    loaded = load(CLEAN)
    assert loaded.journey.key == "tiny@1"
    assert loaded.state_at("waiting") == Location(FILE, 11, 3)
    assert loaded.state_field_at("waiting", "on_timeout") == Location(FILE, 15, 17)
    assert loaded.transition_at(1) == Location(FILE, 30, 5)
    assert loaded.transition_at(1, "to") == Location(FILE, 32, 9)


def refused(path: Path) -> list[tuple[str, int, int]]:
    try:
        load_journey(path)
    except JourneyLoadError as exc:
        return where(exc.diagnostics)
    raise AssertionError("loaded")


# --- L000 unreadable -------------------------------------------------------------------------


def test_l000_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(JourneyLoadError) as caught:
        load_journey(tmp_path / "nope.yaml")
    [diagnostic] = caught.value.diagnostics
    assert (diagnostic.code, diagnostic.slug, diagnostic.location) == (
        "L000",
        "unreadable",
        Location(str(tmp_path / "nope.yaml")),
    )
    assert diagnostic.format() == f"{tmp_path}/nope.yaml: error L000 unreadable: no such file — check the path"


def test_l000_a_folder(tmp_path: Path) -> None:
    with pytest.raises(JourneyLoadError) as caught:
        load_journey(tmp_path)
    [diagnostic] = caught.value.diagnostics
    assert (diagnostic.code, diagnostic.message) == ("L000", "this is a folder, not a file")


# --- L001 not-text, L002 too-large, L003 empty -----------------------------------------------


def test_l001_a_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "photo.yaml"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert refused(path) == [("L001", 0, 0)]


def test_l001_text_that_is_not_utf8_is_located_at_its_line() -> None:
    [diagnostic] = load_errors(b"name: tiny\nlabel: caf\xe9\n")
    assert where([diagnostic]) == [("L001", 2, 1)]
    assert diagnostic.message == "byte 21 is not UTF-8 text"
    assert diagnostic.fix == "save the file as UTF-8"


def test_a_utf8_byte_order_mark_is_fine() -> None:
    assert parse_journey(b"\xef\xbb\xbf" + CLEAN.encode(), FILE).journey.name == "tiny"


def test_l002_too_large_text() -> None:
    [diagnostic] = load_errors("#" * (MAX_BYTES + 1))
    assert where([diagnostic]) == [("L002", 0, 0)]
    assert diagnostic.slug == "too-large"


def test_l002_a_huge_file_is_refused_without_reading_it_all(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("w") as handle:
        for i in range(400_000):  # ~20 MB
            handle.write(f"key_{i}: some value that repeats\n")
    assert refused(path) == [("L002", 0, 0)]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the file is empty"),
        ("   \n\n\t\n", "the file is empty"),
        ("# only\n# comments\n", "the file holds no YAML document (only comments or `---`)"),
        ("---\n", "the file holds no YAML document (only comments or `---`)"),
    ],
)
def test_l003_empty(text: str, message: str) -> None:
    [diagnostic] = load_errors(text)
    assert where([diagnostic]) == [("L003", 1, 1)]
    assert diagnostic.message == message


# --- L004 .. L012: YAML we refuse ------------------------------------------------------------


def test_l004_a_duplicate_key_is_located_at_the_second() -> None:
    [diagnostic] = load_errors("name: tiny\nversion: 1\nname: other\n")
    assert where([diagnostic]) == [("L004", 3, 1)]
    assert diagnostic.message == "`name` appears twice here (first at line 1)"


def test_l004_a_duplicate_field_in_a_state() -> None:
    text = CLEAN.replace("    label: Waiting for you\n", "    label: Waiting for you\n    label: Again\n")
    assert where(load_errors(text)) == [("L004", 14, 5)]


def test_l005_nesting_too_deep() -> None:
    assert where(load_errors("[" * 41 + "]" * 41)) == [("L005", 1, 41)]


def test_l005_block_nesting_too_deep() -> None:
    text = "".join("  " * i + "a:\n" for i in range(45)) + "  " * 45 + "x\n"
    assert where(load_errors(text)) == [("L005", 41, 81)]


@pytest.mark.parametrize("levels", [10_000, 500_000])
def test_l005_ten_thousand_levels_and_more_never_crash(levels: int) -> None:
    # 500,000 levels fit under the size limit and used to crash libyaml's composer (a segfault)
    [diagnostic] = load_errors("[" * levels + "]" * levels)
    assert (diagnostic.code, diagnostic.location.line, diagnostic.location.column) == ("L005", 1, 41)
    assert diagnostic.message == "the file is nested more than 40 levels deep"


def test_l006_an_alias_is_located_where_it_is_used() -> None:
    [diagnostic] = load_errors("name: tiny\ntitle: &t Tiny\npersona: *t\n")
    assert where([diagnostic]) == [("L006", 3, 10)]
    assert diagnostic.message == "the alias `*t` repeats a value; anchors and aliases are not supported"


@pytest.mark.parametrize(("text", "line", "column"), [("name: tiny\n? [a, b]\n: x\n", 2, 3), ("{[a]: 1}\n", 1, 2)])
def test_l007_a_key_that_is_not_text(text: str, line: int, column: int) -> None:
    assert where(load_errors(text)) == [("L007", line, column)]


def test_l008_a_binary_value() -> None:
    assert where(load_errors("name: tiny\ntitle: !!binary aGVsbG8=\n")) == [("L008", 2, 8)]


# --- L009 unknown-tag ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "tag", "line", "column"),
    [
        # a tag on a mapping or a list used to be dropped without a word, and the file loaded
        ("states:\n", "states: !foo\n", "!foo", 10, 9),
        ("transitions:\n", "transitions: !foo\n", "!foo", 24, 14),
        ("  waiting:\n", "  waiting: !state\n", "!state", 11, 12),
        ("  - from: waiting\n    on: reply", "  - !move\n    from: waiting\n    on: reply", "!move", 25, 5),
        ("title:", "title: !foo {a: 1}", "!foo", 35, 8),
        ("title:", "title: !foo [1]", "!foo", 35, 8),
        ("title:", "title: !foo 1", "!foo", 35, 8),
        ("title:", "title: !!python/name:os.system x", "!!python/name:os.system", 35, 8),
        ("title:", "title: !!set {a, b}", "!!set", 35, 8),
        ("title:", "title: !!omap [a: 1]", "!!omap", 35, 8),
        ("title:", "title: !<tag:example.com,2026:x> y", "!<tag:example.com,2026:x>", 35, 8),
        ("title:", "!key title: Tiny", "!key", 35, 1),
    ],
)
def test_l009_an_unknown_tag_anywhere_is_refused_with_its_name_and_place(
    old: str, new: str, tag: str, line: int, column: int
) -> None:
    # given CLEAN with a `!tag` on a mapping, a list, a value or a key (`title:` is a line added at the end)
    text = CLEAN + new + "\n" if old == "title:" else CLEAN.replace(old, new, 1)
    assert text != CLEAN
    # when it is loaded, then it is refused at the tag, naming it and saying how to fix it
    [diagnostic] = load_errors(text)
    assert (diagnostic.code, diagnostic.slug) == ("L009", "unknown-tag")
    assert (diagnostic.location.line, diagnostic.location.column) == (line, column)
    assert diagnostic.message == f"the tag `{tag}` is not supported: a journey holds plain mappings, lists and values"
    assert diagnostic.fix == f"remove `{tag}` and write the value plainly"


@pytest.mark.parametrize(("value", "text"), [("=", "="), ("<<", "<<"), ("a = b", "a = b")])
def test_a_plain_equals_sign_or_merge_key_is_text(value: str, text: str) -> None:
    # YAML 1.1 gives a plain `=` and `<<` tags no constructor knows; as a title they are just text
    loaded = load(CLEAN + f"title: {value}\n")
    assert loaded.journey.title == text


@pytest.mark.parametrize("value", ["!!str 5", "!!int 5", "! plain", "!!map {a: 1}", "!!seq [a]", "!!null ''"])
def test_the_standard_tags_still_load(value: str) -> None:
    # given a standard YAML tag on a value the model reads as text or ignores the type of
    text = CLEAN + f"note_: {value}\n"
    # then loading fails only on the unknown field (the model's word), not on the tag
    [diagnostic] = load_errors(text)
    assert diagnostic.code == "L020"


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ("name: [unclosed\nversion: 1\n", 2, 8),
        ("name: tiny\n  version: 1\n", 2, 10),
        ("name: 'unterminated\n", 2, 1),
        ("name: tiny\nstates:\n\ta: b\n", 3, 1),
    ],
)
def test_l010_yaml_syntax(text: str, line: int, column: int) -> None:
    [diagnostic] = load_errors(text)
    assert where([diagnostic]) == [("L010", line, column)]
    assert diagnostic.message.startswith("this is not valid YAML: ")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("!!int abc", "a value can't be read: `abc` isn't a valid `int`"),
        ("!!bool maybe", "a value can't be read: `maybe` isn't a valid `bool`"),
        ("!!timestamp nope", "a value can't be read: `nope` isn't a valid `timestamp`"),
        ("9" * 5000, "a value can't be read: the number is thousands of digits long"),
    ],
)
def test_l010_values_their_tag_cannot_hold_are_located(value: str, message: str) -> None:
    [diagnostic] = load_errors(f"name: tiny\nversion: {value}\n")
    assert where([diagnostic]) == [("L010", 2, 10)]
    assert diagnostic.message.startswith(message)


def test_l011_two_documents() -> None:
    [diagnostic] = load_errors("name: a\n---\nname: b\n")
    assert where([diagnostic]) == [("L011", 3, 1)]


@pytest.mark.parametrize(
    ("text", "kind"), [("- a\n- b\n", "a list"), ("just some text\n", "text"), ("42\n", "a number")]
)
def test_l012_not_a_mapping(text: str, kind: str) -> None:
    [diagnostic] = load_errors(text)
    assert where([diagnostic]) == [("L012", 1, 1)]
    assert diagnostic.message == f"the file holds {kind}, not a mapping of journey fields"


# --- L020 .. L023: fields and values ---------------------------------------------------------


@pytest.mark.parametrize(
    ("wrong", "right", "line", "column", "message", "fix"),
    [
        (
            "    wait_limit: 2d",
            "    wait_limt: 2d",
            14,
            5,
            "state `waiting` has an unknown field `wait_limt`",
            "did you mean `wait_limit`?",
        ),
        (
            "    touchpoint: thanks",
            "    touchpiont: thanks",
            29,
            5,
            "transition #1 has an unknown field `touchpiont`",
            "did you mean `touchpoint`?",
        ),
        (
            "    touchpoint: thanks",
            "    touchpoint: thanks\n    sim: {weight: 1, aftr: 1d}",
            30,
            22,
            "transition #1, field `sim` has an unknown field `aftr`",
            "did you mean `after`?",
        ),
        (
            "max_silence: 3d",
            "max_silense: 3d",
            3,
            1,
            "the journey has an unknown field `max_silense`",
            "did you mean `max_silence`?",
        ),
    ],
)
def test_l020_unknown_field_with_did_you_mean(
    wrong: str, right: str, line: int, column: int, message: str, fix: str
) -> None:
    # a misspelt required field is not reported a second time as missing
    [diagnostic] = load_errors(CLEAN.replace(wrong, right))
    assert where([diagnostic]) == [("L020", line, column)]
    assert (diagnostic.message, diagnostic.fix) == (message, fix)


def test_l020_without_a_close_name_lists_the_fields() -> None:
    [diagnostic] = load_errors(CLEAN.replace("name: tiny\n", "name: tiny\ncolour: red\n"))
    assert where([diagnostic]) == [("L020", 2, 1)]
    assert diagnostic.fix.startswith(
        "allowed fields: data, events, max_silence, name, persona, start, start_touchpoint,"
    )


@pytest.mark.parametrize(
    ("removed", "line", "column", "message"),
    [
        ("    label: Waiting for you\n", 11, 3, "state `waiting` is missing `label`"),
        ("    to: closed\n", 30, 5, "transition #2 is missing `to`"),
        ("start: waiting\n", 1, 1, "the journey is missing `start`"),
    ],
)
def test_l021_missing_field_is_located_at_what_lacks_it(removed: str, line: int, column: int, message: str) -> None:
    [diagnostic] = load_errors(CLEAN.replace(removed, ""))
    assert where([diagnostic]) == [("L021", line, column)]
    assert diagnostic.message == message


@pytest.mark.parametrize(
    ("wrong", "right", "line", "column", "message"),
    [
        ("owner: customer", "owner: boss", 12, 12, "state `waiting`, field `owner`: `boss` is not allowed here"),
        ("  waiting:\n", "  Waiting:\n", 11, 3, "`states`: the name `Waiting` is not allowed"),
        ("name: tiny", "name: Tiny Repair", 1, 7, "`name`: `Tiny Repair` is not allowed here"),
        ("by: customer", "by: boss", 28, 9, "transition #1, field `by.0`: `boss` is not allowed here"),
    ],
)
def test_l022_bad_value(wrong: str, right: str, line: int, column: int, message: str) -> None:
    [diagnostic] = load_errors(CLEAN.replace(wrong, right, 1))
    assert where([diagnostic]) == [("L022", line, column)]
    assert diagnostic.message == message


@pytest.mark.parametrize(
    ("wrong", "right", "slug", "line", "column", "message", "fix"),
    [
        (
            "version: 1",
            'version: "x"',
            "wrong-type",
            2,
            10,
            "`version`: Input should be a valid integer",
            "write a whole number, e.g. `1`",
        ),
        (
            "wait_limit: 2d",
            "wait_limit: 5",
            "bad-value",
            14,
            17,
            "state `waiting`, field `wait_limit`: `5` has no unit",
            "write e.g. `5h` or `5d`",
        ),
        (
            "    touchpoint: thanks\n",
            "    touchpoint: thanks\n    silent: no need\n",
            "bad-value",
            29,
            5,
            "transition #1: a transition has either a `touchpoint` or `silent: <reason>`, not both",
            "see docs/journeys.md for the field",
        ),
        (
            "    on_timeout: expired\n",
            "",
            "bad-value",
            14,
            5,
            "state `waiting`: `wait_limit` needs `on_timeout`",
            "name the event that fires when the limit runs out",
        ),
        (
            "outcome: success",
            "outcome: maybe",
            "bad-value",
            19,
            14,
            "state `done`, field `outcome`: Input should be 'success' or 'failure'",
            "use one of: 'success' or 'failure'",
        ),
        (
            "    on: reply",
            "    on: yes",
            "wrong-type",
            26,
            9,
            "transition #1, field `on`: Input should be a valid string",
            "write text (quote it if YAML reads it as a number or true/false)",
        ),
    ],
)
def test_l023_wrong_type_or_bad_value(
    wrong: str, right: str, slug: str, line: int, column: int, message: str, fix: str
) -> None:
    [diagnostic] = load_errors(CLEAN.replace(wrong, right))
    assert where([diagnostic]) == [("L023", line, column)]
    assert (diagnostic.slug, diagnostic.message, diagnostic.fix) == (slug, message, fix)


def test_several_problems_are_all_reported() -> None:
    text = CLEAN.replace("owner: customer", "owner: boss").replace("outcome: success", "outcome: maybe")
    assert where(load_errors(text)) == [("L022", 12, 12), ("L023", 19, 14)]


# --- the case data and event declarations ---------------------------------------------------


@pytest.mark.parametrize(
    ("wrong", "right", "code", "column", "message", "fix"),
    [
        (
            "intake: true}}",
            "intake: true, typ: text}}",
            "L020",
            82,
            "case data `request` has an unknown field `typ`",
            "did you mean `type`?",
        ),
        (
            "type: text, meaning: What the customer asked for, ",
            "meaning: What the customer asked for, ",
            "L021",
            8,
            "case data `request` is missing `type`",
            "add `type:` (text, boolean, integer, number, money, choice or address)",
        ),
        (
            "type: text",
            "type: choice",
            "L023",
            8,
            "case data `request`: `choices` goes with `type: choice`, and a choice needs its `choices`",
            "see docs/journeys.md for the field",
        ),
        (
            "intake: true}}",
            "intake: true, initial: hello}}",
            "L023",
            82,
            "case data `request`: a field is either gathered at `intake` or given an `initial` value, not both",
            "see docs/journeys.md for the field",
        ),
    ],
)
def test_a_data_declaration_that_is_wrong_is_located_in_it(
    wrong: str, right: str, code: str, column: int, message: str, fix: str
) -> None:
    [diagnostic] = load_errors(CLEAN.replace(wrong, right))
    assert where([diagnostic]) == [(code, 8, column)]
    assert (diagnostic.message, diagnostic.fix) == (message, fix)


def test_an_event_entry_is_its_label_or_a_mapping_with_one() -> None:
    assert load(CLEAN).journey.event_label("reply") == "Send my reply"
    text = CLEAN.replace("{reply: Send my reply}", "{reply: {label: Send my reply, customer: Reply}}")
    assert load(text).journey.customer_label("reply") == "Reply"
    [misspelt] = load_errors(CLEAN.replace("{reply: Send my reply}", "{reply: {lable: Send}}"))
    assert where([misspelt]) == [("L020", 9, 18)]
    assert (misspelt.message, misspelt.fix) == ("event `reply` has an unknown field `lable`", "did you mean `label`?")
    [missing] = load_errors(CLEAN.replace("{reply: Send my reply}", "{reply: {help: It sends the reply}}"))
    assert where([missing]) == [("L021", 9, 10)]
    assert missing.fix == "add `label:` with the words on its button, e.g. `label: Quality check passed`"


def test_a_constant_its_field_cannot_hold_is_located_at_the_constant() -> None:
    # given `expired` setting the text field `request` to a number
    text = CLEAN.replace("    touchpoint: sorry\n", "    touchpoint: sorry\n    sets: {request: 5}\n")
    [diagnostic] = load_errors(text)
    # then the error sits on the 5, in transition #2
    assert where([diagnostic]) == [("L023", 35, 21)]
    assert diagnostic.message == (
        "transition #2: `expired` sets `request` to 5, which a text field can't hold: expected text"
    )


# --- L030 bad-guard --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("guard", "column"),
    [
        ("rating > > 3", 21),  # the second `>`
        ('"rating > > 3"', 22),  # quoted: one further along
        ("rating >", 20),  # stops short: just past its end
        ("rating > 3 and f(2)", 27),  # the call
        ('name == "é" and f(1)', 28),  # counted in characters, not bytes
    ],
)
def test_l030_a_bad_guard_is_located_inside_the_guard(guard: str, column: int) -> None:
    [diagnostic] = load_errors(CLEAN.replace("    on: reply\n", f"    on: reply\n    guard: {guard}\n"))
    assert where([diagnostic]) == [("L030", 27, column)]
    assert diagnostic.slug == "bad-guard"
    assert diagnostic.severity == Severity.ERROR


def test_l030_a_guard_over_several_lines_is_located_at_its_start() -> None:
    text = CLEAN.replace("    on: reply\n", "    on: reply\n    guard: >\n      rating >\n      > 3\n")
    assert where(load_errors(text)) == [("L030", 27, 12)]


# --- never a traceback -----------------------------------------------------------------------

FIELDS = ["name", "version", "max_silence", "start", "states", "transitions", "touchpoints", "owner", "label"]
FIELDS += ["wait_limit", "on_timeout", "outcome", "from", "on", "to", "by", "guard", "touchpoint", "silent", "sim"]
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=True),
    st.sampled_from(["", "a", "2d", "5", "team:x", "x >", "not", "waiting", "Hello"]),
    st.text(max_size=8),
)


def yaml_data() -> st.SearchStrategy[Any]:
    return st.recursive(
        SCALARS,
        lambda inner: st.one_of(
            st.lists(inner, max_size=4),
            st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=5), inner, max_size=5),
        ),
        max_leaves=20,
    )


def ends_well(source: str | bytes) -> None:
    try:
        parse_journey(source, FILE)
    except JourneyLoadError as exc:
        assert exc.diagnostics
        assert all(d.code.startswith("L") and d.location.file == FILE for d in exc.diagnostics)


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.binary(max_size=300), st.text(max_size=300)))
def test_any_bytes_or_text_end_in_a_journey_or_diagnostics(source: str | bytes) -> None:
    ends_well(source)


@settings(max_examples=200, deadline=None)
@given(yaml_data(), st.sampled_from(["states", "transitions", None]))
def test_any_yaml_shaped_like_a_journey_ends_in_a_journey_or_diagnostics(data: Any, where_: str | None) -> None:
    if where_ is not None:  # plant it inside an otherwise clean journey
        document = yaml.safe_load(CLEAN)
        document[where_] = data
        data = document
    ends_well(yaml.safe_dump(data, allow_unicode=True))
