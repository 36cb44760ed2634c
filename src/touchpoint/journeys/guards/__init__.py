"""Guards: small boolean expressions over case data, e.g. ``prepaid_box and quote_total > 150``.

A guard is parsed once with Python's own parser and only a safe subset is accepted: field names,
constants (numbers, strings, ``true``/``false``/``null``, lists of constants), comparisons
(``== != < <= > >= in``, ``not in``), ``and``, ``or``, ``not``. Evaluation never raises: a missing
field is ``null``, and comparing values of different types is false. Because guards are this
small, the checker can decide whether two guards can both hold (see :func:`may_overlap`).

The rooms: ``parse`` (the expression tree, the parser, the fields a guard reads), ``evaluation``
(a guard against case data) and ``satisfy`` (which data can make a guard hold: overlap, witnesses,
and the same over the values fields can actually take). This package's public surface is what it
exports here."""

from __future__ import annotations

from touchpoint.journeys.guards.evaluation import eval_atom, evaluate, guard_holds
from touchpoint.journeys.guards.parse import (
    And,
    Atom,
    Const,
    Expr,
    GuardError,
    Not,
    Or,
    field_offsets,
    fields_of,
    guard_fields,
    parse_guard,
)
from touchpoint.journeys.guards.satisfy import (
    Domain,
    holds_within,
    may_overlap,
    satisfiable,
    witness,
    witness_within,
)

__all__ = [
    "And",
    "Atom",
    "Const",
    "Domain",
    "Expr",
    "GuardError",
    "Not",
    "Or",
    "eval_atom",
    "evaluate",
    "field_offsets",
    "fields_of",
    "guard_fields",
    "guard_holds",
    "holds_within",
    "may_overlap",
    "parse_guard",
    "satisfiable",
    "witness",
    "witness_within",
]
