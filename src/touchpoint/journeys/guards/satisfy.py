"""Which case data can make a guard hold, decided exactly for the small guards the language allows:
whether two guards can both hold (:func:`may_overlap`), whether one can hold at all, some data
for which it does (:func:`witness`), and the same over the values each field can actually take
(:class:`Domain`, :func:`holds_within`, :func:`witness_within`)."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from touchpoint.journeys.guards.evaluation import eval_atom
from touchpoint.journeys.guards.parse import And, Atom, Const, Expr, GuardError, Not, parse_guard

_MAX_CLAUSES = 256


def _dnf(expr: Expr, negate: bool = False) -> list[tuple[Atom, ...]] | None:
    """Disjunctive normal form as a list of conjunctions; None when it would grow too large."""
    if isinstance(expr, Atom):
        return [((expr.negated() if negate else expr),)]
    if isinstance(expr, Not):
        return _dnf(expr.part, not negate)
    conjunctive = isinstance(expr, And) != negate  # De Morgan
    children: list[list[tuple[Atom, ...]]] = []
    for part in expr.parts:
        child = _dnf(part, negate)
        if child is None:
            return None
        children.append(child)
    if not conjunctive:
        either = [clause for child in children for clause in child]
        return either if len(either) <= _MAX_CLAUSES else None
    out: list[tuple[Atom, ...]] = [()]
    for child in children:
        out = [a + b for a in out for b in child]
        if len(out) > _MAX_CLAUSES:
            return None
    return out


def _candidates(atoms: list[Atom]) -> list[Any]:
    """Values worth trying for one field: every constant mentioned, its neighbours, and a stranger."""
    values: list[Any] = [False, True, 0, "", None, "\x00stranger"]
    for atom in atoms:
        for c in _constants(atom):
            values.append(c)
            if isinstance(c, (int, float)) and not isinstance(c, bool):
                values.extend((c + 1, c - 1, c + 0.5, c - 0.5))
            elif isinstance(c, str):
                values.append(c + "\x00")  # the next text after c: between c and any longer constant
    # Values no ordering applies to and no constant equals: an empty and a non-empty list.
    values.extend(((), (None,)))
    return values


def _field_satisfiable(atoms: list[Atom]) -> bool:
    """Can one value satisfy every atom? Exact for the atoms guards allow: each atom is an
    interval, a point, a set or truthiness, so if any value works, one of the candidates does —
    numbers between two constants are covered by the half-way neighbours, and a value unlike any
    constant by the stranger."""
    if len(atoms) > 64:  # too many to be worth analysing: assume they can overlap
        return True
    return any(all(eval_atom(a, v) for a in atoms) for v in _candidates(atoms) + _midpoints(atoms))


def _clause_satisfiable(clause: tuple[Atom, ...]) -> bool:
    return all(_field_satisfiable(atoms) for atoms in _by_field(clause).values())


def may_overlap(first: str | None, second: str | None) -> bool:
    """True unless the two guards provably can't hold at once. A missing guard always holds."""
    try:
        left = _dnf(parse_guard(first)) if first is not None else [()]
        right = _dnf(parse_guard(second)) if second is not None else [()]
    except GuardError:
        return False  # an unparsable guard never holds; the loader reports it
    if left is None or right is None:
        return True
    return any(_clause_satisfiable(a + b) for a in left for b in right)


def satisfiable(guard: str | None) -> bool:
    """Can the guard hold for some case data at all?"""
    return may_overlap(guard, None)


def witness(guard: str | None) -> dict[str, Any] | None:
    """Some case data for which ``guard`` holds (fields it doesn't mention are left out), or None
    if it can never hold. The demo uses it to walk guarded branches."""
    return _first_witness(guard, _plain_witness)


def _plain_witness(clause: tuple[Atom, ...]) -> dict[str, Any] | None:
    found: dict[str, Any] = {}
    for name, atoms in _by_field(clause).items():
        value = next(
            (v for v in _candidates(atoms) + _midpoints(atoms) if all(eval_atom(a, v) for a in atoms)), _NOTHING
        )
        if value is _NOTHING:
            return None
        found[name] = value
    return found


def _first_witness(
    guard: str | None, find: Callable[[tuple[Atom, ...]], dict[str, Any] | None]
) -> dict[str, Any] | None:
    """The first witness ``find`` gives for a clause of ``guard``'s normal form: {} for no guard,
    None for one that can't be parsed or holds in no clause."""
    if guard is None:
        return {}
    try:
        clauses = _dnf(parse_guard(guard))
    except GuardError:
        return None
    for clause in clauses or []:
        found = find(clause)
        if found is not None:
            return found
    return None


_NOTHING = object()


@dataclass(frozen=True)
class Domain:
    """The values one field can take: those listed in ``values``, and, when ``fits`` is given, any
    value it accepts (a field gathered at intake or asked for: anything of its type). ``extra``
    holds values of the type worth trying that no guard constant suggests (a range's bounds, the
    choices of a choice)."""

    values: tuple[Any, ...] = ()
    fits: Callable[[Any], bool] | None = None
    extra: tuple[Any, ...] = ()


def _numbers(values: Iterable[Any]) -> list[float]:
    return [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)]


def _tries(atoms: list[Atom], domain: Domain) -> list[Any]:
    """Values to try for a field of ``domain`` against ``atoms``: the listed ones, and for ``fits``
    every candidate of :func:`_candidates`, the domain's extras, the whole numbers around each
    numeric constant and bound, and the points half-way between them. Each atom allows an interval,
    a point, a set or a truthiness, and the domain's own bounds are among the points, so if some
    value of the domain satisfies every atom, one of these does."""
    out = list(domain.values)
    if domain.fits is None:
        return out
    consts = [c for a in atoms for c in _constants(a)]
    points = sorted(set(_numbers(consts)) | set(_numbers(domain.extra)))
    more: list[Any] = [*_candidates(atoms), *domain.extra]
    more += [(x + y) / 2 for x, y in itertools.pairwise(points)]
    for p in points:
        low, high = math.floor(p), math.ceil(p)
        more += [low - 1, low, high, high + 1, p - 1, p + 1]
    return out + [v for v in more if _fits_safely(domain.fits, v)]


def _fits_safely(fits: Callable[[Any], bool], value: Any) -> bool:
    try:
        return fits(value)
    except (TypeError, ValueError, OverflowError):
        return False


def holds_within(guard: str | None, domains: Mapping[str, Domain]) -> bool:
    """Can ``guard`` hold when each field in ``domains`` takes only values of its domain (fields not
    in ``domains`` may take any value, or be missing)? True when it can't be told (a guard too large
    to expand): a finding built on a False answer must be certain."""
    if guard is None:
        return True
    try:
        clauses = _dnf(parse_guard(guard))
    except GuardError:
        return False
    if clauses is None:
        return True
    return any(_clause_witness(clause, domains) is not None for clause in clauses)


def witness_within(guard: str | None, domains: Mapping[str, Domain]) -> dict[str, Any] | None:
    """Like :func:`witness`, with each field in ``domains`` taking only values of its domain: some
    case data for which ``guard`` holds (a missing field is None), or None if none is found."""
    return _first_witness(guard, lambda clause: _clause_witness(clause, domains))


def _clause_witness(clause: tuple[Atom, ...], domains: Mapping[str, Domain]) -> dict[str, Any] | None:
    found: dict[str, Any] = {}
    for name, atoms in _by_field(clause).items():
        domain = domains.get(name)
        if len(atoms) > 64:  # as in _field_satisfiable: too many to analyse, so assume it can hold
            tries: list[Any] = [_UNKNOWN]
        elif domain is None:
            tries = _candidates(atoms) + _midpoints(atoms)
        else:
            tries = _tries(atoms, domain)
        value = next((v for v in tries if v is _UNKNOWN or all(eval_atom(a, v) for a in atoms)), _NOTHING)
        if value is _NOTHING:
            return None
        found[name] = None if value is _UNKNOWN else value
    return found


def _constants(atom: Atom) -> tuple[Const, ...]:
    return atom.value if isinstance(atom.value, tuple) else (atom.value,)


def _by_field(clause: tuple[Atom, ...]) -> dict[str, list[Atom]]:
    by_field: dict[str, list[Atom]] = {}
    for atom in clause:
        by_field.setdefault(atom.field, []).append(atom)
    return by_field


def _midpoints(atoms: list[Atom]) -> list[Any]:
    """The points half-way between each two numeric constants the atoms mention, in order."""
    consts = sorted(set(_numbers(c for a in atoms for c in _constants(a))))
    return [(x + y) / 2 for x, y in itertools.pairwise(consts)]


_UNKNOWN = object()
