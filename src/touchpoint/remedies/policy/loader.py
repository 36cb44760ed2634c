"""Read a policy file into a :class:`Policy`, or explain exactly what is wrong and where.

The YAML is read with the journey loader's own machinery (the located node builder, its guards
against aliases, duplicate keys and hostile nesting), so a policy and a journey fail the same way;
only the codes differ: ``P0xx`` here for ``L0xx`` there. Never a traceback.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from touchpoint.journeys.diagnostics import Diagnostic, Location, Severity
from touchpoint.journeys.guards import GuardError, parse_guard
from touchpoint.journeys.yaml_lines import (
    MAX_BYTES,
    DataPath,
    SourceMap,
    YamlProblem,
    build_data,
    decode_text,
    many_documents,
    read_bytes,
    read_documents,
)
from touchpoint.remedies.policy.model import Policy, RemedyRules, Rule


class PolicyLoadError(Exception):
    """A policy that can't be read or parsed. ``diagnostics`` say where and why."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = diagnostics
        super().__init__("\n".join(d.format() for d in diagnostics))


@dataclass(frozen=True)
class LoadedPolicy:
    policy: Policy
    source: SourceMap

    def remedy_at(self, kind: str, field_name: str | None = None) -> Location:
        if field_name is None:
            return self.source.at(("remedies", kind), key=True)
        return self.source.at(("remedies", kind, field_name), key=True)

    def rule_at(self, kind: str, index: int, field_name: str | None = None, item: int | None = None) -> Location:
        path: DataPath = ("remedies", kind, "rules", index)
        if field_name is not None:
            path = (*path, field_name) if item is None else (*path, field_name, item)
        return self.source.at(path)


def _error(code: str, slug: str, message: str, fix: str, location: Location) -> PolicyLoadError:
    return PolicyLoadError([Diagnostic(code, slug, Severity.ERROR, message, fix, location)])


# The shared YAML problems' fixes, said for a policy.
_YAML_FIXES = {
    "005": "a policy needs only a few levels (remedies → a remedy → its rules); flatten it",
    "011": "keep one policy per file",
}


def _yaml_error(problem: YamlProblem) -> PolicyLoadError:
    return PolicyLoadError([problem.diagnostic("P", _YAML_FIXES)])


def _text(raw: str | bytes, filename: str) -> str:
    if isinstance(raw, bytes):
        if len(raw) > MAX_BYTES:
            raise _error(
                "P002",
                "too-large",
                f"the file is larger than {MAX_BYTES:,} bytes",
                "a policy is a page or two: trim it",
                Location(filename),
            )
        return decode_text(raw, filename)
    if len(raw) > MAX_BYTES:
        raise _error(
            "P002",
            "too-large",
            f"the text is longer than {MAX_BYTES:,} characters",
            "a policy is a page or two: trim it",
            Location(filename),
        )
    if "\x00" in raw:
        raise _error("P001", "not-text", "the text holds a NUL character", "give plain YAML text", Location(filename))
    return raw


def _compose(text: str, filename: str) -> tuple[Any, SourceMap]:
    here = Location(filename, 1, 1)
    start = "start with `name: my-shop` and `remedies:`"
    if not text.strip():
        raise _error("P003", "empty", "the policy is empty", start, here)
    documents = read_documents(text, filename)
    if not documents:
        raise _error("P003", "empty", "the policy holds no YAML document (only comments or `---`)", start, here)
    if len(documents) > 1:
        raise many_documents(documents, filename)
    underscored = _underscored_amounts(documents[0], filename)
    if underscored:
        raise PolicyLoadError(underscored)
    source = SourceMap(filename)
    return build_data(documents[0], source, what="policy"), source


AMOUNT_KEYS = frozenset({"max_amount"})


def _underscored_amounts(root: yaml.Node, filename: str) -> list[Diagnostic]:
    """Amounts written with underscores (``1_000``): YAML reads them as numbers and Decimal takes
    them as text, as the money fields on the pages no longer do. Said at the amount, before building."""
    found = []
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                amount = isinstance(key, yaml.ScalarNode) and key.value in AMOUNT_KEYS
                if amount and isinstance(value, yaml.ScalarNode) and "_" in str(value.value):
                    where = Location(filename, value.start_mark.line + 1, value.start_mark.column + 1)
                    fix = "write it without underscores, like `1000` or `1000.00`"
                    found.append(
                        Diagnostic("P022", "bad-value", Severity.ERROR, f"`{value.value}` is not an amount", fix, where)
                    )
                stack.append(value)
    return sorted(found, key=lambda d: (d.location.line or 0, d.location.column or 0))


def parse_policy(text: str | bytes, filename: str = "<policy>") -> LoadedPolicy:
    """Parse policy source (text or raw bytes). Raises :class:`PolicyLoadError`."""
    try:
        data, source = _compose(_text(text, filename), filename)
    except YamlProblem as problem:
        raise _yaml_error(problem) from None
    if not isinstance(data, dict):
        raise _error(
            "P012",
            "not-a-mapping",
            "the file is not a mapping of policy fields",
            "start with `name: my-shop` on the first line",
            Location(filename, 1, 1),
        )
    try:
        policy = Policy.model_validate(data)
    except ValidationError as exc:
        raise PolicyLoadError(_from_pydantic(exc, source)) from None
    problems = _check_conditions(policy, source)
    if problems:
        raise PolicyLoadError(problems)
    return LoadedPolicy(policy, source)


def load_policy(path: str | Path) -> LoadedPolicy:
    """Read and parse a policy file. Raises :class:`PolicyLoadError`, never ``OSError``."""
    try:
        raw = read_bytes(path, what="policy")
    except YamlProblem as problem:
        raise _yaml_error(problem) from None
    return parse_policy(raw, str(path))


# --- pydantic's complaints, located and said for a shop owner ---------------------------------

_FIELDS = {
    "policy": set(Policy.model_fields),
    "remedy": set(RemedyRules.model_fields),
    "rule": set(Rule.model_fields),
}
_REQUIRED_HINTS = {
    "name": "add `name: my-shop` (lower-case letters, digits, `-` and `_`)",
    "remedies": "add `remedies:` with at least one remedy, e.g. `goodwill_credit:`",
    "over_limit": "add `over_limit: ask_lead` (a lead decides) or `over_limit: refuse`",
    "rules": "add `rules:` with at least one rule (`- id: …`, `roles: […]`, a limit)",
    "id": "add `id: agent-standard`: a short name recorded with every remedy the rule allows",
    "roles": "add `roles: [agent]` (agent, lead, admin)",
}


def _context(path: DataPath) -> str:
    if len(path) >= 4 and path[0] == "remedies" and path[2] == "rules":
        return "rule"
    if len(path) >= 2 and path[0] == "remedies":
        return "remedy"
    return "policy"


def _what(path: DataPath) -> str:
    if len(path) >= 4 and path[0] == "remedies" and path[2] == "rules" and isinstance(path[3], int):
        rest = ".".join(str(p) for p in path[4:])
        return f"remedy `{path[1]}`, rule #{path[3] + 1}" + (f", field `{rest}`" if rest else "")
    if len(path) >= 2 and path[0] == "remedies":
        rest = ".".join(str(p) for p in path[2:])
        return f"remedy `{path[1]}`" + (f", field `{rest}`" if rest else "")
    return f"`{'.'.join(str(p) for p in path)}`" if path else "the policy"


def _hint(kind: str, err: Any, path: DataPath) -> str:
    field_name = str(path[-1]) if path else ""
    if kind == "string_pattern_mismatch":
        if field_name == "approvers":
            return "write `team:<name>`, e.g. `team:care`"
        return "use lower-case letters, digits, `-` and `_`, starting with a letter (e.g. `agent-standard`)"
    if kind == "literal_error":
        return f"use one of: {err.get('ctx', {}).get('expected', '')}"
    if kind in {"model_type", "dict_type"}:
        return "write a mapping of `field: value` lines indented under it"
    if kind == "list_type":
        return "write a list, e.g. `[agent, lead]`"
    if kind == "string_type":
        return "write text (quote it if YAML reads it as a number or true/false)"
    if kind in {"int_type", "int_parsing", "int_from_float"}:
        return "write a whole number, e.g. `1`"
    if kind in {"too_short", "string_too_short"}:
        return "it can't be empty"
    if kind in {"too_long", "string_too_long"}:
        return "shorten it"
    return "see docs/remedies.md for the field"


def _from_pydantic(exc: ValidationError, source: SourceMap) -> list[Diagnostic]:
    out: list[tuple[DataPath | None, Diagnostic]] = []
    seen: set[tuple[Location, str]] = set()
    # `over_limt: ask_lead` is an unknown field *and* a missing `over_limit`: the first, with its
    # "did you mean", says it all, so the second is dropped
    guessed: set[DataPath] = set()
    for err in exc.errors(include_url=False):
        missing: DataPath | None = None
        path: DataPath = tuple(p for p in err["loc"] if isinstance(p, int) or not str(p).startswith("function-"))
        kind = err["type"]
        message = err["msg"].removeprefix("Value error, ")
        if kind == "extra_forbidden":
            key = str(path[-1])
            known = _FIELDS[_context(path[:-1])]
            guess = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
            guessed.update((*path[:-1], g) for g in guess)
            fix = f"did you mean `{guess[0]}`?" if guess else f"allowed fields: {', '.join(sorted(known))}"
            diag = Diagnostic(
                "P020",
                "unknown-field",
                Severity.ERROR,
                f"{_what(path[:-1])} has an unknown field `{key}`",
                fix,
                source.at(path, key=True),
            )
        elif kind == "missing":
            field_name, missing = str(path[-1]), path
            diag = Diagnostic(
                "P021",
                "missing-field",
                Severity.ERROR,
                f"{_what(path[:-1])} is missing `{field_name}`",
                _REQUIRED_HINTS.get(field_name, f"add `{field_name}:`"),
                source.at(path[:-1], key=True),
            )
        elif kind == "string_pattern_mismatch":
            diag = Diagnostic(
                "P022",
                "bad-value",
                Severity.ERROR,
                f"{_what(path)}: `{err['input']}` is not allowed here",
                _hint(kind, err, path),
                source.at(path),
            )
        elif kind in {"too_short", "string_too_short"}:
            diag = Diagnostic(
                "P022", "bad-value", Severity.ERROR, f"{_what(path)} is empty", _hint(kind, err, path), source.at(path)
            )
        elif kind.endswith(("_type", "_parsing")):
            diag = Diagnostic(
                "P023",
                "wrong-type",
                Severity.ERROR,
                f"{_what(path)}: {message}",
                _hint(kind, err, path),
                source.at(path),
            )
        else:
            what, _, how = message.partition(" — ")
            diag = Diagnostic(
                "P022",
                "bad-value",
                Severity.ERROR,
                f"{_what(path)}: {what}",
                how or _hint(kind, err, path),
                source.at(path),
            )
        if (diag.location, diag.message) not in seen:
            seen.add((diag.location, diag.message))
            out.append((missing, diag))
    return [diag for missing, diag in out if missing not in guessed]


def _check_conditions(policy: Policy, source: SourceMap) -> list[Diagnostic]:
    out = []
    for kind, remedy in policy.remedies.items():
        for i, rule in enumerate(remedy.rules):
            if rule.when is None:
                continue
            try:
                parse_guard(rule.when)
            except GuardError as exc:
                path = ("remedies", kind, "rules", i, "when")
                text = source.texts.get(path)  # the condition's first character, when on one line
                where = Location(source.file, text[0], text[1] + exc.offset) if text else source.at(path)
                what, _, how = str(exc).replace("the guard", "the condition").partition(" — ")
                if "quote_total" in how:  # the journey example; one a policy would use
                    how = 'write e.g. `tier == "gold" and days_open < 30` (quote text)'
                out.append(
                    Diagnostic("P030", "bad-condition", Severity.ERROR, what, how or "see docs/remedies.md", where)
                )
    return out
