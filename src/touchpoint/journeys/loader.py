"""Read a journey file into a :class:`Journey`, or explain exactly what is wrong and where.

Whatever a file holds (empty, binary, deeply nested, huge, wrong types, duplicate keys, anchors),
loading ends either in a journey or in :class:`JourneyLoadError` whose diagnostics read
``file:line:column: what is wrong — how to fix it``. Never a traceback.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from touchpoint.journeys.diagnostics import Diagnostic, JourneyLoadError, Location, Severity
from touchpoint.journeys.guards import GuardError, parse_guard
from touchpoint.journeys.model import DataField, EventInfo, Journey, Sim, State, Transition

MAX_BYTES = 1024 * 1024
MAX_DEPTH = 40

try:  # the C parser is much faster; it ships with PyYAML wheels
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Loader = yaml.SafeLoader

Path_ = tuple[str | int, ...]

_YAML_TAG = "tag:yaml.org,2002:"
_MAP_TAGS = frozenset({_YAML_TAG + "map"})
_SEQ_TAGS = frozenset({_YAML_TAG + "seq"})
# `binary` passes here so that L008 can say what is wrong with it; a timestamp stays text
_SCALAR_TAGS = frozenset(
    _YAML_TAG + kind for kind in ("null", "bool", "int", "float", "str", "timestamp", "binary", "merge", "value")
)
# YAML 1.1 reads a plain `<<` and `=` as these; nothing constructs them, and here they are just text
_AS_TEXT = frozenset({_YAML_TAG + "merge", _YAML_TAG + "value"})


@dataclass
class SourceMap:
    """Where each value of a loaded file came from: data path → (line, column), 1-based."""

    file: str
    keys: dict[Path_, tuple[int, int]] = field(default_factory=dict)  # position of the key itself
    values: dict[Path_, tuple[int, int]] = field(default_factory=dict)  # position of its value
    texts: dict[Path_, tuple[int, int]] = field(default_factory=dict)  # first character of one-line text

    def at(self, path: Path_, *, key: bool = False) -> Location:
        """The closest known location for ``path``: itself, else its nearest ancestor."""
        first, second = (self.keys, self.values) if key else (self.values, self.keys)
        probe = tuple(path)
        while probe:
            for table in (first, second):  # a list item has no key: its value is the place
                if probe in table:
                    return Location(self.file, *table[probe])
            probe = probe[:-1]
        return Location(self.file, *self.values.get((), (1, 1)))


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


class _Builder:
    """Turns PyYAML's node graph into plain data, recording positions and refusing what we don't allow."""

    def __init__(self, source: SourceMap) -> None:
        self.source = source
        self.seen: set[int] = set()
        self.constructor = yaml.SafeLoader("")  # only used to resolve scalar types the YAML way

    def loc(self, node: yaml.Node) -> Location:
        return Location(self.source.file, node.start_mark.line + 1, node.start_mark.column + 1)

    def build(self, node: yaml.Node, path: Path_, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise JourneyLoadError(
                [
                    _error(
                        "L005",
                        "too-deep",
                        f"the file is nested more than {MAX_DEPTH} levels deep",
                        "a journey needs only a few levels (states → a state → its fields); flatten it",
                        self.loc(node),
                    )
                ]
            )
        if id(node) in self.seen:
            raise JourneyLoadError(
                [
                    _error(
                        "L006",
                        "alias",
                        "anchors and aliases (`&name`, `*name`) are not supported",
                        "write the value out where it is needed",
                        self.loc(node),
                    )
                ]
            )
        self.seen.add(id(node))
        self._refuse_unknown_tag(node)
        self.source.values[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, yaml.MappingNode):
            out: dict[str, Any] = {}
            for key_node, value_node in node.value:
                self._refuse_unknown_tag(key_node)
                if not isinstance(key_node, yaml.ScalarNode):
                    raise JourneyLoadError(
                        [
                            _error(
                                "L007",
                                "bad-key",
                                "a key must be plain text, not a list or mapping",
                                "write `name: value`",
                                self.loc(key_node),
                            )
                        ]
                    )
                key = str(key_node.value)
                if key in out:
                    first = self.source.keys[(*path, key)]
                    raise JourneyLoadError(
                        [
                            _error(
                                "L004",
                                "duplicate-key",
                                f"`{key}` appears twice here (first at line {first[0]})",
                                "keep one of them; YAML would silently drop the first",
                                self.loc(key_node),
                            )
                        ]
                    )
                self.source.keys[(*path, key)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
                out[key] = self.build(value_node, (*path, key), depth + 1)
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]
        value = str(node.value) if node.tag in _AS_TEXT else self._scalar(node)
        if isinstance(value, bytes):
            raise JourneyLoadError(
                [
                    _error(
                        "L008",
                        "binary-value",
                        "binary values (`!!binary`) are not allowed",
                        "write text",
                        self.loc(node),
                    )
                ]
            )
        if not isinstance(value, (str, int, float, bool)) and value is not None:
            value = str(node.value)  # dates and timestamps stay text; the model says if text is wrong
        style = getattr(node, "style", None)  # None or "" when plain, a quote when quoted
        if isinstance(value, str) and node.start_mark.line == node.end_mark.line and style in (None, "", "'", '"'):
            lead = len(value) - len(value.lstrip())
            self.source.texts[path] = (node.start_mark.line + 1, node.start_mark.column + 1 + bool(style) + lead)
        return value

    def _refuse_unknown_tag(self, node: yaml.Node) -> None:
        """Refuse a tag a journey has no use for (`!foo {a: 1}`, `!!set`, `!!python/...`): PyYAML
        keeps any tag on a mapping or a list and we would silently drop it, and one on a value
        fails deep in its constructor. Only the standard tags of plain data pass."""
        allowed = _MAP_TAGS if isinstance(node, yaml.MappingNode) else _SEQ_TAGS
        if isinstance(node, yaml.ScalarNode):
            allowed = _SCALAR_TAGS
        if node.tag in allowed:
            return
        tag = str(node.tag)
        shown = "!!" + tag.removeprefix(_YAML_TAG) if tag.startswith(_YAML_TAG) else tag
        if not shown.startswith("!"):
            shown = f"!<{shown}>"  # a verbatim tag, as it was written
        raise JourneyLoadError(
            [
                _error(
                    "L009",
                    "unknown-tag",
                    f"the tag `{shown}` is not supported: a journey holds plain mappings, lists and values",
                    f"remove `{shown}` and write the value plainly",
                    self.loc(node),
                )
            ]
        )

    def _scalar(self, node: yaml.Node) -> Any:
        """The scalar's value as YAML types it. A value its tag can't hold (`!!int abc`, a number
        thousands of digits long, an unknown `!tag`) is a located load error, not a traceback."""
        try:
            return self.constructor.construct_object(node, deep=False)
        except yaml.YAMLError as exc:
            problem = getattr(exc, "problem", None) or "its tag is not supported"
            fix = "remove the `!tag` and write a plain value"
            mark = getattr(exc, "problem_mark", None) or node.start_mark
            where = Location(self.source.file, mark.line + 1, mark.column + 1)
        except (ValueError, TypeError, KeyError, AttributeError, OverflowError) as exc:
            problem = f"`{node.value}` isn't a valid `{str(node.tag).rsplit(':', 1)[-1]}`"
            fix = "correct it, or remove the `!!tag` and write a plain value"
            if isinstance(exc, ValueError) and "digits" in str(exc):
                problem, fix = "the number is thousands of digits long", "use a sensible number"
            where = self.loc(node)
        raise JourneyLoadError([_error("L010", "yaml-syntax", f"a value can't be read: {problem}", fix, where)])


def parse_journey(text: str | bytes, filename: str = "<journey>") -> LoadedJourney:
    """Parse journey source (text or raw bytes). Raises :class:`JourneyLoadError`."""
    here = Location(filename, 1, 1)
    if isinstance(text, bytes):
        if len(text) > MAX_BYTES:
            raise JourneyLoadError(
                [
                    _error(
                        "L002",
                        "too-large",
                        f"the file is larger than {MAX_BYTES:,} bytes, the most a journey may hold",
                        "split it into several journeys",
                        Location(filename),
                    )
                ]
            )
        if b"\x00" in text:
            raise JourneyLoadError(
                [
                    _error(
                        "L001", "not-text", "the file is binary, not text", "give a YAML text file", Location(filename)
                    )
                ]
            )
        raw = text
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            raise JourneyLoadError(
                [
                    _error(
                        "L001",
                        "not-text",
                        f"byte {exc.start} is not UTF-8 text",
                        "save the file as UTF-8",
                        Location(filename, line, 1),
                    )
                ]
            ) from None
    if len(text) > MAX_BYTES:
        raise JourneyLoadError(
            [
                _error(
                    "L002",
                    "too-large",
                    f"the file is larger than {MAX_BYTES:,} characters, the most a journey may hold",
                    "split it into several journeys",
                    Location(filename),
                )
            ]
        )
    if not text.strip():
        raise JourneyLoadError(
            [
                _error(
                    "L003",
                    "empty",
                    "the file is empty",
                    "start with `name:`, `version:`, `max_silence:`, `start:`, `states:` and `transitions:`",
                    here,
                )
            ]
        )
    try:
        _prescan(text, filename)
        documents = list(yaml.compose_all(text, Loader=_Loader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = Location(filename, mark.line + 1, mark.column + 1) if mark else here
        problem = (exc.problem or exc.context or "this is not valid YAML").rstrip(".")
        raise JourneyLoadError(
            [
                _error(
                    "L010",
                    "yaml-syntax",
                    f"this is not valid YAML: {problem}",
                    "check the indentation and quoting at this spot (quote text holding `: ` or `#`)",
                    where,
                )
            ]
        ) from None
    except (yaml.YAMLError, RecursionError, MemoryError) as exc:
        raise JourneyLoadError(
            [
                _error(
                    "L010",
                    "yaml-syntax",
                    f"this is not valid YAML ({type(exc).__name__})",
                    "check the file is a YAML mapping of reasonable depth",
                    here,
                )
            ]
        ) from None
    # `---` alone composes to an empty scalar: as empty as no document at all
    documents = [d for d in documents if d is not None and not _is_empty_scalar(d)]
    if not documents:
        raise JourneyLoadError(
            [
                _error(
                    "L003",
                    "empty",
                    "the file holds no YAML document (only comments or `---`)",
                    "write the journey as a mapping starting with `name:`",
                    here,
                )
            ]
        )
    if len(documents) > 1:
        raise JourneyLoadError(
            [
                _error(
                    "L011",
                    "many-documents",
                    "the file holds more than one YAML document (`---`)",
                    "put each journey in its own file",
                    Location(filename, documents[1].start_mark.line + 1, 1),
                )
            ]
        )
    root = documents[0]
    source = SourceMap(filename)
    try:
        data = _Builder(source).build(root, (), 0)
    except RecursionError:
        raise JourneyLoadError(
            [_error("L005", "too-deep", "the file is nested too deeply to read", "flatten it", here)]
        ) from None
    except yaml.YAMLError as exc:
        raise JourneyLoadError(
            [_error("L010", "yaml-syntax", f"a value can't be read: {exc}", "quote it as text", here)]
        ) from None
    if not isinstance(data, dict):
        raise JourneyLoadError(
            [
                _error(
                    "L012",
                    "not-a-mapping",
                    f"the file holds {_kind(data)}, not a mapping of journey fields",
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


def _prescan(text: str, filename: str) -> None:
    """Stop at the first collection nested too deep, or the first alias, before composing.

    libyaml's composer recurses once per level and crashes the process (a segfault, not an
    exception) somewhere past 20,000 levels, which fit easily in a file under ``MAX_BYTES``. The
    event parser keeps its own stack, and we stop reading at the first level too deep, so a
    hostile file costs nothing. An alias is reported where it is used (the composed node would
    only tell where its anchor is).
    """
    depth = 0
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.AliasEvent):
            mark = event.start_mark
            raise JourneyLoadError(
                [
                    _error(
                        "L006",
                        "alias",
                        f"the alias `*{event.anchor}` repeats a value; anchors and aliases are not supported",
                        "write the value out where it is needed",
                        Location(filename, mark.line + 1, mark.column + 1) if mark else Location(filename),
                    )
                ]
            )
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                mark = event.start_mark
                where = Location(filename, mark.line + 1, mark.column + 1) if mark else Location(filename)
                raise JourneyLoadError(
                    [
                        _error(
                            "L005",
                            "too-deep",
                            f"the file is nested more than {MAX_DEPTH} levels deep",
                            "a journey needs only a few levels (states → a state → its fields); flatten it",
                            where,
                        )
                    ]
                )
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def load_journey(path: str | Path) -> LoadedJourney:
    """Read and parse a journey file. Raises :class:`JourneyLoadError`, never ``OSError``."""
    name = str(path)
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except IsADirectoryError:
        raise JourneyLoadError(
            [
                _error(
                    "L000",
                    "unreadable",
                    "this is a folder, not a file",
                    "name the journey's .yaml file",
                    Location(name),
                )
            ]
        ) from None
    except FileNotFoundError:
        raise JourneyLoadError(
            [_error("L000", "unreadable", "no such file", "check the path", Location(name))]
        ) from None
    except OSError as exc:
        raise JourneyLoadError(
            [
                _error(
                    "L000",
                    "unreadable",
                    f"the file can't be read ({exc.strerror})",
                    "check its permissions",
                    Location(name),
                )
            ]
        ) from None
    return parse_journey(raw, name)


def _is_empty_scalar(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null") and not node.value


def _kind(value: Any) -> str:
    return {list: "a list", str: "text", int: "a number", float: "a number", bool: "true/false"}.get(
        type(value), "nothing"
    )


_FIELDS = {
    "journey": set(Journey.model_fields),
    "state": set(State.model_fields),
    "transition": (set(Transition.model_fields) - {"from_"}) | {"from"},
    "sim": set(Sim.model_fields),
    "data": set(DataField.model_fields),
    "event": set(EventInfo.model_fields),
}


def _context(path: Path_) -> str:
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


def _what(path: Path_) -> str:
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
    guessed: set[Path_] = set()
    missing: dict[int, Path_] = {}
    for err in exc.errors(include_url=False):
        raw_loc = tuple("from" if p == "from_" else p for p in err["loc"])
        # pydantic appends the validator kind for Annotated unions etc.; drop non-data parts
        path: Path_ = tuple(p for p in raw_loc if isinstance(p, int) or not str(p).startswith("function-"))
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


def _lookup(data: Any, path: Path_) -> Any:
    for part in path:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _named_field(source: SourceMap, path: Path_, message: str, mapping: dict[str, Any]) -> Location:
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
