"""Read a journey file into a :class:`Journey`, or explain exactly what is wrong and where.

Whatever a file holds (empty, binary, deeply nested, huge, wrong types, duplicate keys, anchors),
loading ends either in a journey or in :class:`JourneyLoadError` whose diagnostics read
``file:line:column: what is wrong — how to fix it``. Never a traceback.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from touchpoint.journeys.diagnostics import Diagnostic, JourneyLoadError, Location, Severity
from touchpoint.journeys.guards import GuardError, parse_guard
from touchpoint.journeys.model import DataField, EventInfo, Journey, Sim, State, Transition
from touchpoint.journeys.yaml_lines import (
    MAX_BYTES,
    DataPath,
    SourceMap,
    YamlProblem,
    build_data,
    decode_text,
    kind_of,
    many_documents,
    read_bytes,
    read_documents,
)

# The shared YAML problems' fixes, said for a journey.
_YAML_FIXES = {
    "005": "a journey needs only a few levels (states → a state → its fields); flatten it",
    "011": "put each journey in its own file",
}


@dataclass(frozen=True)
class LoadedJourney:
    journey: Journey
    source: SourceMap

    # Locations the checker needs, named so callers don't build data paths by hand.
    def state_at(self, name: str) -> Location:
        return self.source.at(("states", name), key=True)

    def state_field_at(self, name: str, field_name: str) -> Location:
        return self.source.at(("states", name, field_name))

    def transition_at(self, index: int, field_name: str | None = None) -> Location:
        if field_name is None:
            return self.source.at(("transitions", index))
        return self.source.at(("transitions", index, field_name))


def _error(code: str, slug: str, message: str, fix: str, location: Location) -> Diagnostic:
    return Diagnostic(code, slug, Severity.ERROR, message, fix, location)


def parse_journey(text: str | bytes, filename: str = "<journey>") -> LoadedJourney:
    """Parse journey source (text or raw bytes). Raises :class:`JourneyLoadError`."""
    try:
        data, source = _read_yaml(text, filename)
    except YamlProblem as problem:
        raise JourneyLoadError([problem.diagnostic("L", _YAML_FIXES)]) from None
    if not isinstance(data, dict):
        raise JourneyLoadError(
            [
                _error(
                    "L012",
                    "not-a-mapping",
                    f"the file holds {kind_of(data)}, not a mapping of journey fields",
                    "start with `name: my-journey` on the first line",
                    Location(filename, 1, 1),
                )
            ]
        )
    try:
        journey = Journey.model_validate(data)
    except ValidationError as exc:
        raise JourneyLoadError(_from_pydantic(exc, source, data)) from None
    diagnostics = _check_guards(journey, source)
    if diagnostics:
        raise JourneyLoadError(diagnostics)
    return LoadedJourney(journey, source)


def _read_yaml(text: str | bytes, filename: str) -> tuple[Any, SourceMap]:
    """The file's one YAML document as plain data, with where each value came from."""
    if isinstance(text, bytes) and len(text) > MAX_BYTES:
        raise YamlProblem(
            "002",
            "too-large",
            f"the file is larger than {MAX_BYTES:,} bytes, the most a journey may hold",
            "split it into several journeys",
            Location(filename),
        )
    text = decode_text(text, filename) if isinstance(text, bytes) else text
    if len(text) > MAX_BYTES:
        raise YamlProblem(
            "002",
            "too-large",
            f"the file is larger than {MAX_BYTES:,} characters, the most a journey may hold",
            "split it into several journeys",
            Location(filename),
        )
    start = "start with `name:`, `version:`, `max_silence:`, `start:`, `states:` and `transitions:`"
    if not text.strip():
        raise YamlProblem("003", "empty", "the file is empty", start, Location(filename, 1, 1))
    documents = read_documents(text, filename)
    if not documents:
        raise YamlProblem(
            "003",
            "empty",
            "the file holds no YAML document (only comments or `---`)",
            "write the journey as a mapping starting with `name:`",
            Location(filename, 1, 1),
        )
    if len(documents) > 1:
        raise many_documents(documents, filename)
    source = SourceMap(filename)
    return build_data(documents[0], source, what="journey"), source


def load_journey(path: str | Path) -> LoadedJourney:
    """Read and parse a journey file. Raises :class:`JourneyLoadError`, never ``OSError``."""
    try:
        raw = read_bytes(path, what="journey")
    except YamlProblem as problem:
        raise JourneyLoadError([problem.diagnostic("L", _YAML_FIXES)]) from None
    return parse_journey(raw, str(path))


_FIELDS = {
    "journey": set(Journey.model_fields),
    "state": set(State.model_fields),
    "transition": (set(Transition.model_fields) - {"from_"}) | {"from"},
    "sim": set(Sim.model_fields),
    "data": set(DataField.model_fields),
    "event": set(EventInfo.model_fields),
}


def _context(path: DataPath) -> str:
    if len(path) == 3 and path[0] == "transitions" and path[2] == "sim":
        return "sim"
    if len(path) >= 2 and path[0] == "states":
        return "state"
    if len(path) >= 2 and path[0] == "transitions":
        return "transition"
    if len(path) >= 2 and path[0] == "data":
        return "data"
    if len(path) >= 2 and path[0] == "events":
        return "event"
    return "journey"


def _what(path: DataPath) -> str:
    if len(path) >= 2 and path[0] == "states":
        rest = ".".join(str(p) for p in path[2:])
        return f"state `{path[1]}`" + (f", field `{rest}`" if rest else "")
    if len(path) >= 2 and path[0] == "transitions":
        rest = ".".join(str(p) for p in path[2:])
        return f"transition #{int(path[1]) + 1}" + (f", field `{rest}`" if rest else "")
    if len(path) >= 2 and path[0] in ("data", "events"):
        rest = ".".join(str(p) for p in path[2:])
        what = "case data" if path[0] == "data" else "event"
        return f"{what} `{path[1]}`" + (f", field `{rest}`" if rest else "")
    return f"`{'.'.join(str(p) for p in path)}`" if path else "the journey"


_REQUIRED_HINTS = {
    "name": "add `name: mail-in-repair` (lower case, digits and _)",
    "version": "add `version: 1` and raise it whenever the journey changes",
    "max_silence": "add `max_silence: 3d`: the longest a customer may go without a message",
    "start": "add `start: <state>`: the state a new case begins in",
    "states": "add `states:` with at least one state",
    "owner": "add `owner: customer`, `team:<name>`, `carrier` or `system`",
    "label": "add `label:` with the words the customer sees for this step",
    "from": "add `from: <state>` (or a list of states)",
    "on": "add `on: <event>`: what happens to cause this move",
    "to": "add `to: <state>`",
    "by": "add `by: [customer]` (or staff, team:<name>, role:lead, carrier, system): who may trigger it",
    "weight": "add `weight: 0.5`: the chance this move is the one taken",
    "type": "add `type:` (text, boolean, integer, number, money, choice or address)",
    "meaning": "add `meaning:` with what the field holds, in words for the people who read the journey",
}
_EVENT_HINTS = {"label": "add `label:` with the words on its button, e.g. `label: Quality check passed`"}


def _from_pydantic(exc: ValidationError, source: SourceMap, data: dict[str, Any]) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    seen: set[tuple[Location, str]] = set()
    # `max_silense: 3d` is an unknown field *and* a missing `max_silence`: the first, with its
    # "did you mean", says it all, so the second is dropped
    guessed: set[DataPath] = set()
    missing: dict[int, DataPath] = {}
    for err in exc.errors(include_url=False):
        raw_loc = tuple("from" if p == "from_" else p for p in err["loc"])
        # pydantic appends the validator kind for Annotated unions etc.; drop non-data parts
        path: DataPath = tuple(p for p in raw_loc if isinstance(p, int) or not str(p).startswith("function-"))
        kind = err["type"]
        message = err["msg"].removeprefix("Value error, ")
        where = _what(path)
        if path and path[-1] == "[key]":  # a mapping key itself is wrong, e.g. a state named `Arrived`
            path = path[:-1]
            diag = _error(
                "L022",
                "bad-value",
                f"{_what(path[:-1])}: the name `{path[-1]}` is not allowed",
                _pattern_hint(str(err.get("ctx", {}).get("pattern", ""))),
                source.at(path, key=True),
            )
        elif kind == "value_error":
            # our validators already say "what — how"; a whole state or transition that is
            # inconsistent is located at the field its message names
            what, _, how = message.partition(" — ")
            value = _lookup(data, path)
            place = _named_field(source, path, what, value) if isinstance(value, dict) else source.at(path)
            written = _constant_written(data, what) if not path else None
            if written is not None:  # a constant in `sets` its field can't hold: at that constant
                where, place = f"transition #{written[0] + 1}", source.at(("transitions", *written))
            diag = _error("L023", "bad-value", f"{where}: {what}", how or "see docs/journeys.md for the field", place)
        elif kind == "extra_forbidden":
            key = str(path[-1])
            known = _FIELDS[_context(path[:-1])]
            guess = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
            guessed.update((*path[:-1], g) for g in guess)
            diag = _error(
                "L020",
                "unknown-field",
                f"{_what(path[:-1])} has an unknown field `{key}`",
                f"did you mean `{guess[0]}`?" if guess else f"allowed fields: {', '.join(sorted(known))}",
                source.at(path, key=True),
            )
        elif kind == "missing":
            field_name = str(path[-1])
            missing[len(out)] = path
            diag = _error(
                "L021",
                "missing-field",
                f"{_what(path[:-1])} is missing `{field_name}`",
                (_EVENT_HINTS if _context(path[:-1]) == "event" else {}).get(field_name)
                or _REQUIRED_HINTS.get(field_name, f"add `{field_name}:`"),
                source.at(path[:-1], key=True),
            )
        elif kind == "string_pattern_mismatch":
            pattern = str(err.get("ctx", {}).get("pattern", ""))
            diag = _error(
                "L022",
                "bad-value",
                f"{where}: `{err['input']}` is not allowed here",
                _pattern_hint(pattern),
                source.at(path),
            )
        elif kind in {
            "model_type",
            "dict_type",
            "list_type",
            "string_type",
            "int_type",
            "float_type",
            "bool_type",
            "int_parsing",
            "float_parsing",
            "bool_parsing",
            "literal_error",
            "too_short",
            "too_long",
            "string_too_short",
            "string_too_long",
            "greater_than_equal",
            "less_than_equal",
            "int_from_float",
            "value_error",
            "assertion_error",
        }:
            fix = _type_hint(kind, err)
            diag = _error(
                "L023",
                "wrong-type" if kind.endswith(("type", "parsing")) else "bad-value",
                f"{where}: {message}",
                fix,
                source.at(path),
            )
        else:
            diag = _error(
                "L023", "bad-value", f"{where}: {message}", "see docs/journeys.md for the field", source.at(path)
            )
        if (diag.location, diag.message) not in seen:
            seen.add((diag.location, diag.message))
            out.append(diag)
        else:
            missing.pop(len(out), None)  # a repeated message: it was not added
    return [d for i, d in enumerate(out) if missing.get(i) not in guessed]


def _constant_written(data: dict[str, Any], message: str) -> tuple[int, str, str] | None:
    """(transition index, "sets", field) of the constant a journey-wide message names: "`qc_passed`
    sets `repaired` to 'yes', which …" (the model checks constants against the whole `data:`)."""
    named = re.match(r"`(\w+)` sets `(\w+)` to ", message)
    transitions = data.get("transitions")
    if named is None or not isinstance(transitions, list):
        return None
    event, field_name = named.groups()
    for index, transition in enumerate(transitions):
        if not isinstance(transition, dict):
            continue
        sets = transition.get("sets")
        if transition.get("on") == event and isinstance(sets, dict) and field_name in sets:
            return (index, "sets", field_name)
    return None


def _lookup(data: Any, path: DataPath) -> Any:
    for part in path:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _named_field(source: SourceMap, path: DataPath, message: str, mapping: dict[str, Any]) -> Location:
    """The last field both named in ``message`` (as `field`) and present, else the mapping itself:
    "a terminal state (with `outcome`) can't have a `wait_limit`" points at `wait_limit`."""
    named = [word for word in message.split("`")[1::2] if word in mapping]
    if named:
        return source.at((*path, named[-1]), key=True)
    return source.at(path, key=True)


def _pattern_hint(pattern: str) -> str:
    if "team:" in pattern and "staff" in pattern:
        return "use customer, staff, team:<name>, role:agent|lead|admin, carrier or system"
    if "team:" in pattern:
        return "use customer, team:<name>, carrier or system"
    if "_-" in pattern:  # a journey's own name, like its file
        return "use lower-case letters, digits, `_` and `-`, starting with a letter (e.g. `mail-in-repair`)"
    return "use lower-case letters, digits and `_`, starting with a letter (e.g. `awaiting_device`)"


def _type_hint(kind: str, err: Any) -> str:
    if kind == "literal_error":
        return f"use one of: {err.get('ctx', {}).get('expected', '')}"
    if kind in {"model_type", "dict_type"}:
        return "write a mapping of `field: value` lines indented under it"
    if kind == "list_type":
        return "write a list, one `- item` per line"
    if kind in {"string_type"}:
        return "write text (quote it if YAML reads it as a number or true/false)"
    if kind in {"int_type", "int_parsing", "int_from_float"}:
        return "write a whole number, e.g. `1`"
    if kind in {"float_type", "float_parsing"}:
        return "write a number, e.g. `0.25`"
    if kind in {"bool_type", "bool_parsing"}:
        return "write `true` or `false`"
    if kind in {"too_short", "string_too_short"}:
        return "it can't be empty"
    if kind in {"too_long", "string_too_long"}:
        return "shorten it"
    if kind in {"greater_than_equal", "less_than_equal"}:
        return "use a value inside the allowed range"
    return "see docs/journeys.md for the field"


def _check_guards(journey: Journey, source: SourceMap) -> list[Diagnostic]:
    out = []
    for i, transition in enumerate(journey.transitions):
        if transition.guard is None:
            continue
        try:
            parse_guard(transition.guard)
        except GuardError as exc:
            path = ("transitions", i, "guard")
            base = source.at(path)
            text = source.texts.get(path)  # the guard's first character, when it sits on one line
            out.append(
                _error(
                    "L030",
                    "bad-guard",
                    str(exc).split(" — ")[0],
                    str(exc).split(" — ", 1)[-1] if " — " in str(exc) else "see docs/journeys.md",
                    Location(source.file, text[0], text[1] + exc.offset) if text else base,
                )
            )
    return out
