"""Evaluating a guard against case data. Never raises: a missing field is ``null``, comparing
values of different types is false, and a guard that can't be parsed never holds."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from touchpoint.journeys.guards.parse import And, Atom, Expr, GuardError, Not, parse_guard


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
