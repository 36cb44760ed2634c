"""The JSON Schema shipped for editors: generated, never stale, and true to the files it describes."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from touchpoint.journeys.cli import main
from touchpoint.journeys.cli.schema import SCHEMA_DRAFT, SCHEMA_ID, journey_schema, schema_text, shipped_schema_path
from touchpoint.journeys.library import library_files
from touchpoint.journeys.model import Journey

SHIPPED = shipped_schema_path()


class _Yaml12(yaml.SafeLoader):
    """Reads YAML the way editors (YAML 1.2) do: `on:` is a key named "on", not the boolean true."""


_Yaml12.yaml_implicit_resolvers = {
    first: [(tag, regex) for tag, regex in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Yaml12.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|false)$"), list("tf"))


def read(path: Path) -> Any:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_Yaml12)


def test_shipped_schema_is_the_generated_one() -> None:
    # given the file in the package, when the schema is generated again, then nothing changed;
    # if this fails, run `touchpoint journey schema --out src/touchpoint/journeys/schema/journey.schema.json`
    assert SHIPPED.read_text(encoding="utf-8") == schema_text()


def test_schema_command_prints_the_shipped_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    assert capsys.readouterr().out == SHIPPED.read_text(encoding="utf-8")


def test_schema_command_writes_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "journey.schema.json"
    assert main(["schema", "--out", str(target)]) == 0
    assert target.read_text(encoding="utf-8") == schema_text()
    assert capsys.readouterr().out == ""


def test_schema_command_into_a_missing_folder_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "--out", str(tmp_path / "no" / "such" / "x.json")]) == 2
    err = capsys.readouterr().err
    assert "can't write it" in err
    assert "Traceback" not in err


def test_schema_names_itself_and_its_draft() -> None:
    schema = journey_schema()
    assert list(schema)[:2] == ["$schema", "$id"]
    assert schema["$schema"] == SCHEMA_DRAFT
    assert schema["$id"] == SCHEMA_ID
    assert schema["title"] == "Touchpoint journey"
    assert schema["additionalProperties"] is False
    assert set(schema["required"]) == {"name", "version", "max_silence", "start", "states"}


def test_from_and_by_accept_one_value_or_a_list() -> None:
    transition = journey_schema()["$defs"]["Transition"]["properties"]
    for name in ("from", "by"):
        kinds = [option["type"] for option in transition[name]["anyOf"]]
        assert kinds == ["string", "array"], name


def test_the_model_itself_says_one_value_or_a_list_and_the_cli_adds_only_names() -> None:
    # given the schema pydantic generates from the model, with nothing patched afterwards
    model = Journey.model_json_schema()
    # then `from` and `by` are one value or a non-empty list, item for item the same
    transition = model["$defs"]["Transition"]["properties"]
    assert transition["from"]["anyOf"] == [
        {"maxLength": 80, "pattern": "^[a-z][a-z0-9_]*$", "type": "string"},
        {"items": {"maxLength": 80, "pattern": "^[a-z][a-z0-9_]*$", "type": "string"}, "minItems": 1, "type": "array"},
    ]
    one_actor = transition["by"]["anyOf"][0]
    assert transition["by"]["anyOf"][1] == {"items": one_actor, "minItems": 1, "type": "array"}
    assert "minItems" not in transition["from"] and "minItems" not in transition["by"]  # only on the list
    # and the shipped schema is that, with only its draft and id put first
    assert journey_schema() == {"$schema": SCHEMA_DRAFT, "$id": SCHEMA_ID, **model}


@pytest.mark.parametrize(
    ("change", "problems"),
    [
        ({"from": "awaiting_payment", "by": "customer"}, []),
        ({"from": ["awaiting_payment", "payment_failed"], "by": ["customer", "role:lead"]}, []),
        ({"from": []}, ["$.transitions[0].from: matches none of its options"]),
        ({"by": "nobody"}, ["$.transitions[0].by: matches none of its options"]),
    ],
    ids=["one-each", "lists", "empty-from", "unknown-actor"],
)
def test_an_editor_accepts_one_value_or_a_list_and_nothing_else(change: dict[str, Any], problems: list[str]) -> None:
    data = read(library_files()[0])
    data["transitions"][0].update(change)
    assert validate(data, journey_schema()) == problems


@pytest.mark.parametrize("path", library_files(), ids=lambda p: p.stem)
def test_every_library_journey_satisfies_the_schema(path: Path) -> None:
    data = read(path)
    assert validate(data, journey_schema()) == []


@pytest.mark.parametrize("path", library_files(), ids=lambda p: p.stem)
def test_every_library_journey_points_editors_at_the_schema(path: Path) -> None:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../schema/journey.schema.json"
    assert (path.parent / "../schema/journey.schema.json").resolve() == SHIPPED


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        (lambda d: d.update(colour="blue"), "colour"),
        (lambda d: d["states"]["awaiting_payment"].update(owner="bench"), "owner"),
        (lambda d: d["transitions"][0].update(by="anyone"), "by"),
        (lambda d: d["states"]["awaiting_payment"].update(wait_limit="soon"), "wait_limit"),
        (lambda d: d.pop("start"), "start"),
    ],
    ids=["unknown-field", "bad-owner", "bad-actor", "bad-duration", "missing-start"],
)
def test_the_schema_flags_what_an_editor_should_flag(change: Any, complaint: str) -> None:
    data = read(library_files()[0])
    change(data)
    problems = validate(data, journey_schema())
    assert problems, "the schema accepted a broken journey"
    assert any(complaint in problem for problem in problems), problems


# --- a small validator for the JSON Schema keywords pydantic emits (the project has no jsonschema) ---

_TYPES: dict[str, Any] = {
    "object": dict,
    "array": list,
    "string": str,
    "boolean": bool,
    "null": type(None),
}


def _is_type(value: Any, kind: str) -> bool:
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, _TYPES[kind])


def validate(value: Any, schema: dict[str, Any], root: dict[str, Any] | None = None, at: str = "$") -> list[str]:
    """The problems with ``value`` under ``schema``, each as ``path: what``; empty when it is valid."""
    root = root or schema
    if "$ref" in schema:
        ref = schema["$ref"]
        assert ref.startswith("#/$defs/"), ref
        return validate(value, root["$defs"][ref.removeprefix("#/$defs/")], root, at)
    problems: list[str] = []
    if "anyOf" in schema and all(validate(value, option, root, at) for option in schema["anyOf"]):
        problems.append(f"{at}: matches none of its options")
    kind = schema.get("type")
    if kind is not None:
        kinds = kind if isinstance(kind, list) else [kind]
        if not any(_is_type(value, k) for k in kinds):
            return [*problems, f"{at}: not of type {kind}"]
    if "enum" in schema and value not in schema["enum"]:
        problems.append(f"{at}: not one of {schema['enum']}")
    if isinstance(value, str):
        if "pattern" in schema and not re.search(schema["pattern"], value):
            problems.append(f"{at}: doesn't match {schema['pattern']}")
        if len(value) < schema.get("minLength", 0) or len(value) > schema.get("maxLength", len(value)):
            problems.append(f"{at}: wrong length")
    if _is_type(value, "number"):
        if "minimum" in schema and value < schema["minimum"]:
            problems.append(f"{at}: below {schema['minimum']}")
        if "maximum" in schema and value > schema["maximum"]:
            problems.append(f"{at}: above {schema['maximum']}")
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0):
            problems.append(f"{at}: too few items")
        for i, item in enumerate(value):
            if "items" in schema:
                problems += validate(item, schema["items"], root, f"{at}[{i}]")
    if isinstance(value, dict):
        if len(value) < schema.get("minProperties", 0):
            problems.append(f"{at}: too few entries")
        for name in schema.get("required", []):
            if name not in value:
                problems.append(f"{at}.{name}: required")
        properties = schema.get("properties", {})
        patterns = schema.get("patternProperties", {})
        for key, item in value.items():
            where = f"{at}.{key}"
            if "propertyNames" in schema:
                problems += validate(key, schema["propertyNames"], root, where)
            matched = [p for p in patterns if re.search(p, str(key))]
            if key in properties:
                problems += validate(item, properties[key], root, where)
            for pattern in matched:
                problems += validate(item, patterns[pattern], root, where)
            if key not in properties and not matched:
                extra = schema.get("additionalProperties", True)
                if extra is False:
                    problems.append(f"{where}: not allowed here")
                elif isinstance(extra, dict):
                    problems += validate(item, extra, root, where)
    return problems


def test_the_validator_itself_rejects_and_accepts() -> None:
    schema = {"type": "object", "properties": {"a": {"type": "integer", "minimum": 1}}, "additionalProperties": False}
    assert validate({"a": 2}, schema) == []
    assert validate({"a": 0}, schema) == ["$.a: below 1"]
    assert validate({"b": 1}, schema) == ["$.b: not allowed here"]
    assert validate({"a": True}, schema) == ["$.a: not of type integer"]


def test_shipped_schema_is_valid_json() -> None:
    assert json.loads(SHIPPED.read_text(encoding="utf-8"))["$id"] == SCHEMA_ID
