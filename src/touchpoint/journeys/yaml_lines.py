"""YAML with line numbers: a file read into plain data, with where each value came from.

The journey loader and the empowerment policy loader (``touchpoint.remedies.policy``) both read
their files through this module, so both refuse the same things in the same words and point at
the same places. It does the YAML part only; what the data must hold is each loader's business.

* :func:`decode_text` turns raw bytes into text (UTF-8, no NUL bytes).
* :func:`read_documents` composes the text into YAML node trees, refusing anchors and aliases and
  nesting deeper than :data:`MAX_DEPTH` *before* libyaml recurses into it.
* :func:`build_data` turns one node tree into plain ``dict``/``list``/scalar data, filling a
  :class:`SourceMap` with the line and column of every key and value, and refusing duplicate
  keys, non-text keys, binary values and any tag but the standard ones of plain data.

Each refusal is a :class:`YamlProblem`: a number shared by every loader (``"010"`` for a syntax
error), a slug, a sentence, a fix and a :class:`Location`. A loader turns it into its own
diagnostic with :meth:`YamlProblem.diagnostic`, giving its code letter (``L`` for journeys, ``P``
for policies) and, where the fix should speak of its own kind of file, its own fix.

Numbers: 000 unreadable, 001 not text, 005 too deep, 006 alias, 007 bad key, 008 binary value,
009 unknown tag, 010 YAML syntax, 011 more than one document.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from touchpoint.journeys.diagnostics import Diagnostic, Location, Severity

MAX_BYTES = 1024 * 1024
MAX_DEPTH = 40

try:  # the C parser is much faster; it ships with PyYAML wheels
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Loader = yaml.SafeLoader

DataPath = tuple[str | int, ...]
"""Where a value sits in the loaded data: ``("states", "awaiting_device", "wait_limit")``."""

_YAML_TAG = "tag:yaml.org,2002:"
_MAP_TAGS = frozenset({_YAML_TAG + "map"})
_SEQ_TAGS = frozenset({_YAML_TAG + "seq"})
# `binary` passes here so that 008 can say what is wrong with it; a timestamp stays text
_SCALAR_TAGS = frozenset(
    _YAML_TAG + kind for kind in ("null", "bool", "int", "float", "str", "timestamp", "binary", "merge", "value")
)
# YAML 1.1 reads a plain `<<` and `=` as these; nothing constructs them, and here they are just text
_AS_TEXT = frozenset({_YAML_TAG + "merge", _YAML_TAG + "value"})

TOO_DEEP_FIX = "flatten it"


class YamlProblem(Exception):
    """What is wrong with a YAML file and where, before any loader reads its meaning."""

    def __init__(self, number: str, slug: str, message: str, fix: str, location: Location) -> None:
        super().__init__(message)
        self.number = number
        self.slug = slug
        self.message = message
        self.fix = fix
        self.location = location

    def diagnostic(self, letter: str, fixes: Mapping[str, str] | None = None) -> Diagnostic:
        """The problem as an error with code ``letter + number`` (``L010``), its fix replaced by
        ``fixes[number]`` when the loader words it for its own kind of file."""
        fix = (fixes or {}).get(self.number, self.fix)
        return Diagnostic(letter + self.number, self.slug, Severity.ERROR, self.message, fix, self.location)


@dataclass
class SourceMap:
    """Where each value of a loaded file came from: data path → (line, column), 1-based."""

    file: str
    keys: dict[DataPath, tuple[int, int]] = field(default_factory=dict)  # position of the key itself
    values: dict[DataPath, tuple[int, int]] = field(default_factory=dict)  # position of its value
    texts: dict[DataPath, tuple[int, int]] = field(default_factory=dict)  # first character of one-line text

    def at(self, path: DataPath, *, key: bool = False) -> Location:
        """The closest known location for ``path``: itself, else its nearest ancestor."""
        first, second = (self.keys, self.values) if key else (self.values, self.keys)
        probe = tuple(path)
        while probe:
            for table in (first, second):  # a list item has no key: its value is the place
                if probe in table:
                    return Location(self.file, *table[probe])
            probe = probe[:-1]
        return Location(self.file, *self.values.get((), (1, 1)))


def read_bytes(path: str | Path, *, what: str) -> bytes:
    """The first ``MAX_BYTES + 1`` bytes of a file (enough to tell it is too large). Raises
    :class:`YamlProblem` 000, never ``OSError``; ``what`` names the file's kind ("journey")."""
    name = str(path)
    try:
        with open(path, "rb") as handle:
            return handle.read(MAX_BYTES + 1)
    except IsADirectoryError:
        raise YamlProblem(
            "000", "unreadable", "this is a folder, not a file", f"name the {what}'s .yaml file", Location(name)
        ) from None
    except FileNotFoundError:
        raise YamlProblem("000", "unreadable", "no such file", "check the path", Location(name)) from None
    except OSError as exc:
        raise YamlProblem(
            "000", "unreadable", f"the file can't be read ({exc.strerror})", "check its permissions", Location(name)
        ) from None


def decode_text(raw: bytes, filename: str) -> str:
    """UTF-8 text (a byte-order mark dropped). Raises :class:`YamlProblem` 001 for a NUL byte or
    bytes that aren't UTF-8, at the line of the first bad byte. The caller checks the size first."""
    if b"\x00" in raw:
        raise YamlProblem(
            "001", "not-text", "the file is binary, not text", "give a YAML text file", Location(filename)
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise YamlProblem(
            "001",
            "not-text",
            f"byte {exc.start} is not UTF-8 text",
            "save the file as UTF-8",
            Location(filename, line, 1),
        ) from None


def read_documents(text: str, filename: str) -> list[yaml.Node]:
    """The file's YAML documents as node trees, leaving out empty ones (only comments or ``---``).

    Raises :class:`YamlProblem` 010 for a syntax error (at its line and column), 006 for an alias
    (where it is used) and 005 for nesting deeper than :data:`MAX_DEPTH`."""
    here = Location(filename, 1, 1)
    try:
        _prescan(text, filename)
        documents = list(yaml.compose_all(text, Loader=_Loader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = Location(filename, mark.line + 1, mark.column + 1) if mark else here
        problem = (exc.problem or exc.context or "this is not valid YAML").rstrip(".")
        raise YamlProblem(
            "010",
            "yaml-syntax",
            f"this is not valid YAML: {problem}",
            "check the indentation and quoting at this spot (quote text holding `: ` or `#`)",
            where,
        ) from None
    except (yaml.YAMLError, RecursionError, MemoryError) as exc:
        raise YamlProblem(
            "010",
            "yaml-syntax",
            f"this is not valid YAML ({type(exc).__name__})",
            "check the file is a YAML mapping of reasonable depth",
            here,
        ) from None
    # `---` alone composes to an empty scalar: as empty as no document at all
    return [d for d in documents if d is not None and not _is_empty_scalar(d)]


def many_documents(documents: list[yaml.Node], filename: str) -> YamlProblem:
    """Problem 011: a file holding a second YAML document, at the line where it begins."""
    return YamlProblem(
        "011",
        "many-documents",
        "the file holds more than one YAML document (`---`)",
        "keep one document per file",
        Location(filename, documents[1].start_mark.line + 1, 1),
    )


def build_data(root: yaml.Node, source: SourceMap, *, what: str) -> Any:
    """Plain data from one document's node tree, recording every position in ``source``.

    Raises :class:`YamlProblem` (005-010) for what a data file has no use for; ``what`` names the
    file's kind ("journey") where a problem speaks of it."""
    try:
        return _Builder(source, what).build(root, (), 0)
    except RecursionError:
        raise YamlProblem(
            "005", "too-deep", "the file is nested too deeply to read", TOO_DEEP_FIX, Location(source.file, 1, 1)
        ) from None
    except yaml.YAMLError as exc:
        raise YamlProblem(
            "010", "yaml-syntax", f"a value can't be read: {exc}", "quote it as text", Location(source.file, 1, 1)
        ) from None


def kind_of(value: Any) -> str:
    """What a loaded value is, in words: "a list", "text", "a number", "true/false", "nothing"."""
    return {list: "a list", str: "text", int: "a number", float: "a number", bool: "true/false"}.get(
        type(value), "nothing"
    )


def _too_deep(where: Location) -> YamlProblem:
    return YamlProblem("005", "too-deep", f"the file is nested more than {MAX_DEPTH} levels deep", TOO_DEEP_FIX, where)


class _Builder:
    """Turns PyYAML's node graph into plain data, recording positions and refusing what we don't allow."""

    def __init__(self, source: SourceMap, what: str) -> None:
        self.source = source
        self.what = what
        self.seen: set[int] = set()
        self.constructor = yaml.SafeLoader("")  # only used to resolve scalar types the YAML way

    def loc(self, node: yaml.Node) -> Location:
        return Location(self.source.file, node.start_mark.line + 1, node.start_mark.column + 1)

    def build(self, node: yaml.Node, path: DataPath, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise _too_deep(self.loc(node))
        if id(node) in self.seen:
            raise YamlProblem(
                "006",
                "alias",
                "anchors and aliases (`&name`, `*name`) are not supported",
                "write the value out where it is needed",
                self.loc(node),
            )
        self.seen.add(id(node))
        self._refuse_unknown_tag(node)
        self.source.values[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, yaml.MappingNode):
            out: dict[str, Any] = {}
            for key_node, value_node in node.value:
                self._refuse_unknown_tag(key_node)
                if not isinstance(key_node, yaml.ScalarNode):
                    raise YamlProblem(
                        "007",
                        "bad-key",
                        "a key must be plain text, not a list or mapping",
                        "write `name: value`",
                        self.loc(key_node),
                    )
                key = str(key_node.value)
                if key in out:
                    first = self.source.keys[(*path, key)]
                    raise YamlProblem(
                        "004",
                        "duplicate-key",
                        f"`{key}` appears twice here (first at line {first[0]})",
                        "keep one of them; YAML would silently drop the first",
                        self.loc(key_node),
                    )
                self.source.keys[(*path, key)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
                out[key] = self.build(value_node, (*path, key), depth + 1)
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]
        value = str(node.value) if node.tag in _AS_TEXT else self._scalar(node)
        if isinstance(value, bytes):
            raise YamlProblem(
                "008", "binary-value", "binary values (`!!binary`) are not allowed", "write text", self.loc(node)
            )
        if not isinstance(value, (str, int, float, bool)) and value is not None:
            value = str(node.value)  # dates and timestamps stay text; the model says if text is wrong
        style = getattr(node, "style", None)  # None or "" when plain, a quote when quoted
        if isinstance(value, str) and node.start_mark.line == node.end_mark.line and style in (None, "", "'", '"'):
            lead = len(value) - len(value.lstrip())
            self.source.texts[path] = (node.start_mark.line + 1, node.start_mark.column + 1 + bool(style) + lead)
        return value

    def _refuse_unknown_tag(self, node: yaml.Node) -> None:
        """Refuse a tag plain data has no use for (`!foo {a: 1}`, `!!set`, `!!python/...`): PyYAML
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
        raise YamlProblem(
            "009",
            "unknown-tag",
            f"the tag `{shown}` is not supported: a {self.what} holds plain mappings, lists and values",
            f"remove `{shown}` and write the value plainly",
            self.loc(node),
        )

    def _scalar(self, node: yaml.Node) -> Any:
        """The scalar's value as YAML types it. A value its tag can't hold (`!!int abc`, a number
        thousands of digits long, an unknown `!tag`) is a located problem, not a traceback."""
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
        raise YamlProblem("010", "yaml-syntax", f"a value can't be read: {problem}", fix, where)


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
            raise YamlProblem(
                "006",
                "alias",
                f"the alias `*{event.anchor}` repeats a value; anchors and aliases are not supported",
                "write the value out where it is needed",
                Location(filename, mark.line + 1, mark.column + 1) if mark else Location(filename),
            )
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                mark = event.start_mark
                raise _too_deep(Location(filename, mark.line + 1, mark.column + 1) if mark else Location(filename))
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _is_empty_scalar(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null") and not node.value
