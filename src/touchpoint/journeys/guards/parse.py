"""The guard language: the expression tree (:class:`Atom`, :class:`And`, :class:`Or`, :class:`Not`)
and its parser, which accepts only a safe subset of Python's own expressions; the fields a guard
reads, and where in the guard each is mentioned."""

from __future__ import annotations

import ast
import functools
from dataclasses import dataclass

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
