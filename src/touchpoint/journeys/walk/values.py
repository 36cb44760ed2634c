"""Candidate values: case data matters to routing only through the guards' atoms, so for each field
one value per way the guards can see it, taken from their constants and neighbours and checked
against the field's declaration; the intakes worth opening a case with."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from touchpoint.journeys.data import DataError
from touchpoint.journeys.guards import And, Atom, Expr, GuardError, Not, Or, eval_atom, parse_guard
from touchpoint.journeys.model import DataField, Journey

ABSENT = object()  # a field not in the case data at all (journeys that declare no data)
SAMPLE_ADDRESS = {
    "name": "Walker Test",
    "line1": "1 Route Street",
    "line2": "",
    "town": "Bristol",
    "postcode": "BS1 4DJ",
    "country": "GB",
}


def _atoms(expr: Expr) -> Iterator[Atom]:
    if isinstance(expr, Atom):
        yield expr
    elif isinstance(expr, Not):
        yield from _atoms(expr.part)
    elif isinstance(expr, (And, Or)):
        for part in expr.parts:
            yield from _atoms(part)


def guard_atoms(journey: Journey) -> dict[str, tuple[Atom, ...]]:
    """Every atom of every guard, by the field it reads (unparsable guards never hold: none)."""
    out: dict[str, list[Atom]] = {}
    for transition in journey.transitions:
        if transition.guard is None:
            continue
        try:
            expr = parse_guard(transition.guard)
        except GuardError:
            continue
        for atom in _atoms(expr):
            bucket = out.setdefault(atom.field, [])
            if atom not in bucket:
                bucket.append(atom)
    return {name: tuple(atoms) for name, atoms in out.items()}


def seen_by_guards(atoms: tuple[Atom, ...], value: Any) -> tuple[bool, ...]:
    """How the journey sees ``value``: the truth of every atom on its field."""
    seen = None if value is ABSENT else value
    return tuple(eval_atom(atom, seen) for atom in atoms)


def sample_value(declared: DataField) -> Any:
    """A plain value of the field's type (a route takes it where no guard cares)."""
    kind, low, high = declared.type, declared.min, declared.max
    if kind == "boolean":
        value: Any = False
    elif kind == "choice":
        value = (declared.choices or [""])[0]
    elif kind == "address":
        value = dict(SAMPLE_ADDRESS)
    elif kind == "money":
        value = 25.0
    elif kind in ("integer", "number"):
        value = high if high is not None else 1
    else:
        value = "Walked by the route walker"
    if kind in ("money", "integer", "number"):
        if high is not None and value > high:
            value = high
        if low is not None and value < low:
            value = low
    try:
        return declared.check(value)
    except DataError:
        return declared.check(declared.initial) if declared.initial is not None else value


def _raw_candidates(atoms: tuple[Atom, ...]) -> list[Any]:
    values: list[Any] = [True, False]
    for atom in atoms:
        consts = atom.value if isinstance(atom.value, tuple) else (atom.value,)
        for c in consts:
            values.append(c)
            if isinstance(c, (int, float)) and not isinstance(c, bool):
                values.extend((c + 1, c - 1, c + 0.5, c - 0.5))
            elif isinstance(c, str):
                values.append(c + "-other")
    numbers = sorted(
        {
            c
            for a in atoms
            for c in (a.value if isinstance(a.value, tuple) else (a.value,))
            if isinstance(c, (int, float)) and not isinstance(c, bool)
        }
    )
    values.extend((x + y) / 2 for x, y in itertools.pairwise(numbers))
    values.extend((0, "", "other"))
    return values


def candidates(journey: Journey, name: str, atoms: tuple[Atom, ...] | None = None) -> list[Any]:
    """Values worth trying for field ``name``: one for each way the guards can see it, the plain
    sample first (so a quote is £25 rather than £1 where both read the same), each checked
    against the field's declaration. A journey that declares no data may also leave it out."""
    atoms = atoms if atoms is not None else guard_atoms(journey).get(name, ())
    declared = journey.data.get(name)
    raw: list[Any] = []
    if declared is not None:
        raw.append(sample_value(declared))
        if declared.type == "choice":
            raw.extend(declared.choices or [])
    else:
        raw.append(ABSENT)
    raw.extend(_raw_candidates(atoms))
    out: list[Any] = []
    seen: set[tuple[bool, ...]] = set()
    for value in raw:
        if declared is not None and value is not ABSENT:
            try:
                value = declared.check(value)
            except DataError:
                continue
        signature = seen_by_guards(atoms, value)
        if signature not in seen:
            seen.add(signature)
            out.append(value)
    return out


def combos(journey: Journey, names: Sequence[str], atoms: Mapping[str, tuple[Atom, ...]]) -> list[dict[str, Any]]:
    if not names:
        return [{}]
    choices = [candidates(journey, name, atoms.get(name, ())) for name in names]
    out = []
    for values in itertools.product(*choices):
        out.append({name: value for name, value in zip(names, values, strict=True) if value is not ABSENT})
    return out


def intake_fields(journey: Journey) -> list[str]:
    """The fields a case opens with from its intake: the declared ones, or for a journey that
    declares no data, every field a guard reads (its intake takes anything)."""
    if journey.data:
        return [name for name, f in journey.data.items() if f.intake]
    return sorted(guard_atoms(journey))


def intake_variants(journey: Journey) -> list[dict[str, Any]]:
    """The intakes worth opening with: every way guards can see the intake fields they read; plain
    samples for the others."""
    atoms = guard_atoms(journey)
    names = intake_fields(journey)
    read = [name for name in names if name in atoms]
    plain = {name: sample_value(journey.data[name]) for name in names if name not in atoms and name in journey.data}
    return [{**plain, **combo} for combo in combos(journey, read, atoms)]
