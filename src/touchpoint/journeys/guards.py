"""Guards: small boolean expressions over case data, e.g. ``prepaid_box and quote_total > 150``.

A guard is parsed once with Python's own parser and only a safe subset is accepted: field names,
constants (numbers, strings, ``true``/``false``/``null``, lists of constants), comparisons
(``== != < <= > >= in``, ``not in``), ``and``, ``or``, ``not``. Evaluation never raises: a missing
field is ``null``, and comparing values of different types is false. Because guards are this
small, the checker can decide whether two guards can both hold (see :func:`may_overlap`).
"""

from __future__ import annotations

import ast
import functools
import itertools
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

Const = str | int | float | bool | None
_CONST_NAMES: dict[str, Const] = {
    "true": True,
    "True": True,
    "false": False,
    "False": False,
    "null": None,
    "None": None,
}
_OPS = {
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.In: "in",
    ast.NotIn: "not in",
}
_NEGATE = {
    "==": "!=",
    "!=": "==",
    # An ordering is false for data of another type (or missing), so its negation is not the
    # opposite ordering: `not (x > 5)` holds when x is missing, `x <= 5` doesn't.
    "<": "not <",
    "not <": "<",
    ">": "not >",
    "not >": ">",
    "<=": "not <=",
    "not <=": "<=",
    ">=": "not >=",
    "not >=": ">=",
    "in": "not in",
    "not in": "in",
    "truthy": "falsy",
    "falsy": "truthy",
}
_MIRROR = {"<": ">", ">": "<", "<=": ">=", ">=": "<=", "==": "==", "!=": "!="}


class GuardError(ValueError):
    """A guard that isn't a valid expression. ``offset`` is the 0-based column inside the guard."""

    def __init__(self, message: str, offset: int = 0) -> None:
        super().__init__(message)
        self.offset = offset


# --- the expression tree -------------------------------------------------------------------


@dataclass(frozen=True)
class Atom:
    """``field <op> value``; op ``truthy``/``falsy`` has no value."""

    field: str
    op: str
    value: Const | tuple[Const, ...] = None

    def negated(self) -> Atom:
        return Atom(self.field, _NEGATE[self.op], self.value)


@dataclass(frozen=True)
class And:
    parts: tuple[Expr, ...]


@dataclass(frozen=True)
class Or:
    parts: tuple[Expr, ...]


@dataclass(frozen=True)
class Not:
    part: Expr


Expr = Atom | And | Or | Not


@functools.lru_cache(maxsize=4096)
def parse_guard(text: str) -> Expr:
    """Parse a guard or raise :class:`GuardError` saying what is wrong and how to write it."""
    if not text.strip():
        raise GuardError("the guard is empty — write a condition such as `prepaid_box == true`, or remove `guard`")
    if len(text) > 2000:
        raise GuardError("the guard is longer than 2000 characters — split the decision into states")
    stripped = text.strip()
    try:
        tree = ast.parse(stripped, mode="eval")
    except SyntaxError as exc:
        # Python counts from 1 in characters, and says 0 when the guard stops short (`x >`).
        offset = exc.offset - 1 if exc.offset and exc.lineno == 1 else len(stripped.split("\n", 1)[0])
        raise GuardError(
            f"the guard `{stripped}` is not a valid condition ({exc.msg}) — write e.g. "
            "`quote_total > 150 and not prepaid_box`",
            max(offset, 0),
        ) from None
    except (ValueError, RecursionError, MemoryError):
        raise GuardError("the guard can't be read — keep it to names, constants, comparisons, and/or/not") from None
    try:
        return _convert(tree.body, depth=0)
    except GuardError as exc:  # ast columns count UTF-8 bytes; a person counts characters
        exc.offset = len(stripped.encode()[: exc.offset].decode(errors="ignore"))
        raise


def _bad(node: ast.AST, what: str) -> GuardError:
    return GuardError(
        f"{what} is not allowed in a guard — use field names, constants, comparisons "
        "(== != < <= > >= in, not in), and, or, not",
        getattr(node, "col_offset", 0),
    )


def _convert(node: ast.expr, depth: int) -> Expr:
    if depth > 50:
        raise GuardError("the guard is nested more than 50 levels deep — simplify it")
    if isinstance(node, ast.BoolOp):
        parts = tuple(_convert(v, depth + 1) for v in node.values)
        return And(parts) if isinstance(node.op, ast.And) else Or(parts)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return Not(_convert(node.operand, depth + 1))
    if isinstance(node, ast.Name):
        if node.id in _CONST_NAMES:
            raise _bad(node, f"the constant `{node.id}` on its own")
        return Atom(node.id, "truthy")
    if isinstance(node, ast.Compare):
        atoms: list[Expr] = []
        left = node.left
        for op, right in zip(node.ops, node.comparators, strict=True):
            atoms.append(_compare(left, op, right, node))
            left = right
        return atoms[0] if len(atoms) == 1 else And(tuple(atoms))
    raise _bad(node, f"`{type(node).__name__}`")


def _compare(left: ast.expr, op: ast.cmpop, right: ast.expr, whole: ast.AST) -> Atom:
    symbol = _OPS.get(type(op))
    if symbol is None:
        raise _bad(whole, f"the operator `{type(op).__name__}`")
    if _is_field(left) and not _is_field(right):
        return Atom(_field(left), symbol, _constant(right, list_ok=symbol in ("in", "not in")))
    if _is_field(right) and not _is_field(left) and symbol in _MIRROR:
        return Atom(_field(right), _MIRROR[symbol], _constant(left, list_ok=False))
    raise _bad(whole, "a comparison must put one field name against constants; this one")


def _is_field(node: ast.expr) -> bool:
    return isinstance(node, ast.Name) and node.id not in _CONST_NAMES


def _field(node: ast.expr) -> str:
    assert isinstance(node, ast.Name)
    return node.id


def _constant(node: ast.expr, *, list_ok: bool) -> Const | tuple[Const, ...]:
    if isinstance(node, ast.Constant) and isinstance(node.value, (str, int, float, bool)):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant):
        value = node.operand.value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return -value
    if isinstance(node, ast.Name) and node.id in _CONST_NAMES:
        return _CONST_NAMES[node.id]
    if list_ok and isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        items = tuple(_constant(e, list_ok=False) for e in node.elts)
        return tuple(i for i in items if not isinstance(i, tuple))
    raise _bad(node, "this value")


def fields_of(expr: Expr) -> set[str]:
    if isinstance(expr, Atom):
        return {expr.field}
    if isinstance(expr, Not):
        return fields_of(expr.part)
    return set().union(*(fields_of(p) for p in expr.parts))


def guard_fields(guard: str | None) -> set[str]:
    """The case data fields ``guard`` reads; none for no guard or one that can't be parsed."""
    if guard is None:
        return set()
    try:
        return fields_of(parse_guard(guard))
    except GuardError:
        return set()


# --- evaluation ------------------------------------------------------------------------------


def _same_kind(a: Any, b: Any) -> bool:
    """bool is not a number here, and None only equals None."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool)
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return True
    return type(a) is type(b)


def _equal(a: Any, b: Any) -> bool:
    return _same_kind(a, b) and bool(a == b)


def _truthy(value: Any) -> bool:
    return value not in (None, False, 0, "") and not (isinstance(value, (list, dict, tuple)) and not value)


def eval_atom(atom: Atom, value: Any) -> bool:
    op, const = atom.op, atom.value
    if op == "truthy":
        return _truthy(value)
    if op == "falsy":
        return not _truthy(value)
    if op == "==":
        return _equal(value, const)
    if op == "!=":
        return not _equal(value, const)
    if op in ("in", "not in"):
        consts = const if isinstance(const, tuple) else (const,)
        found = any(_equal(value, c) for c in consts)
        return found if op == "in" else not found
    if op.startswith("not "):
        return not eval_atom(Atom(atom.field, op[4:], const), value)
    if not _same_kind(value, const) or value is None or isinstance(value, bool):
        return False
    try:
        if op == "<":
            return bool(value < const)
        if op == "<=":
            return bool(value <= const)
        if op == ">":
            return bool(value > const)
        return bool(value >= const)
    except TypeError:
        return False


def evaluate(expr: Expr, data: Mapping[str, Any]) -> bool:
    if isinstance(expr, Atom):
        return eval_atom(expr, data.get(expr.field))
    if isinstance(expr, Not):
        return not evaluate(expr.part, data)
    if isinstance(expr, And):
        return all(evaluate(p, data) for p in expr.parts)
    return any(evaluate(p, data) for p in expr.parts)


def guard_holds(guard: str | None, data: Mapping[str, Any]) -> bool:
    """True when there is no guard or it holds for ``data``. A guard that can't be parsed never holds."""
    if guard is None:
        return True
    try:
        return evaluate(parse_guard(guard), data)
    except GuardError:
        return False


# --- overlap analysis ------------------------------------------------------------------------

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


_FALSY_VALUES: tuple[Const, ...] = (None, False, 0, "")


def _candidates(atoms: list[Atom]) -> list[Any]:
    """Values worth trying for one field: every constant mentioned, its neighbours, and a stranger."""
    values: list[Any] = [False, True, 0, "", None, "\x00stranger"]
    for atom in atoms:
        consts = atom.value if isinstance(atom.value, tuple) else (atom.value,)
        for c in consts:
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
    consts = sorted(
        {
            c
            for a in atoms
            for c in (a.value if isinstance(a.value, tuple) else (a.value,))
            if isinstance(c, (int, float)) and not isinstance(c, bool)
        }
    )
    extra = [(x + y) / 2 for x, y in itertools.pairwise(consts)]
    return any(all(eval_atom(a, v) for a in atoms) for v in _candidates(atoms) + extra)


def _clause_satisfiable(clause: tuple[Atom, ...]) -> bool:
    by_field: dict[str, list[Atom]] = {}
    for atom in clause:
        by_field.setdefault(atom.field, []).append(atom)
    return all(_field_satisfiable(atoms) for atoms in by_field.values())


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
    if guard is None:
        return {}
    try:
        clauses = _dnf(parse_guard(guard))
    except GuardError:
        return None
    for clause in clauses or []:
        by_field: dict[str, list[Atom]] = {}
        for atom in clause:
            by_field.setdefault(atom.field, []).append(atom)
        found: dict[str, Any] = {}
        for name, atoms in by_field.items():
            consts = sorted(
                {
                    c
                    for a in atoms
                    for c in (a.value if isinstance(a.value, tuple) else (a.value,))
                    if isinstance(c, (int, float)) and not isinstance(c, bool)
                }
            )
            extra = [(x + y) / 2 for x, y in itertools.pairwise(consts)]
            value = next((v for v in _candidates(atoms) + extra if all(eval_atom(a, v) for a in atoms)), _NOTHING)
            if value is _NOTHING:
                break
            found[name] = value
        else:
            return found
    return None


_NOTHING = object()


# --- locating fields, and guards over the values fields can actually take -------------------


def field_offsets(guard: str) -> dict[str, int]:
    """Each field ``guard`` reads → the 0-based character offset of its first mention in the
    stripped guard, so a finding about one field can point at it. Empty when the guard can't be
    parsed or spans several lines."""
    stripped = guard.strip()
    try:
        parse_guard(guard)
        tree = ast.parse(stripped, mode="eval")
    except (GuardError, SyntaxError, ValueError, RecursionError, MemoryError):
        return {}
    found: dict[str, int] = {}
    encoded = stripped.encode()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id not in _CONST_NAMES and node.lineno == 1:
            offset = len(encoded[: node.col_offset].decode(errors="ignore"))  # ast counts UTF-8 bytes
            found[node.id] = min(offset, found.get(node.id, offset))
    return dict(sorted(found.items(), key=lambda item: item[1]))


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
    consts = [c for a in atoms for c in (a.value if isinstance(a.value, tuple) else (a.value,))]
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
    if guard is None:
        return {}
    try:
        clauses = _dnf(parse_guard(guard))
    except GuardError:
        return None
    for clause in clauses or []:
        found = _clause_witness(clause, domains)
        if found is not None:
            return found
    return None


def _clause_witness(clause: tuple[Atom, ...], domains: Mapping[str, Domain]) -> dict[str, Any] | None:
    by_field: dict[str, list[Atom]] = {}
    for atom in clause:
        by_field.setdefault(atom.field, []).append(atom)
    found: dict[str, Any] = {}
    for name, atoms in by_field.items():
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


def _midpoints(atoms: list[Atom]) -> list[Any]:
    consts = sorted(set(_numbers(c for a in atoms for c in (a.value if isinstance(a.value, tuple) else (a.value,)))))
    return [(x + y) / 2 for x, y in itertools.pairwise(consts)]


_UNKNOWN = object()
