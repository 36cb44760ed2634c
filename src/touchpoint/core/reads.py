"""Lean reads for the hot pages (the console's case view and queues are read under load).

The ORM compiles every query afresh: on a page of a dozen small queries, building the SQL costs
several times what the database spends answering it. A :class:`Read` is an ordinary QuerySet,
written once with the ORM, whose SQL is compiled once per database connection and reused with each
call's arguments. Values come back through the same converters the ORM applies (datetimes with their
time zone, JSON decoded, decimals exact), so a ``Read`` returns exactly what ``values_list`` would.

How the arguments find their place: the QuerySet is built once with a marker value for each
argument, and the markers are found among the compiled SQL's parameters. So each argument must reach
the SQL as itself: an exact match (``case_id=...``, ``status=...``, ``due_at__lte=...``), not a
transformed lookup (``__icontains``, ``__in`` with a list) — compiling such a read fails at once,
saying which argument was lost.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model, QuerySet

Row = tuple[Any, ...]
_SERIAL = itertools.count(1)


@dataclass(frozen=True)
class _Compiled:
    sql: str
    slots: tuple[int | None, ...]  # per SQL parameter: the argument it takes, or None for a constant
    wraps: tuple[Callable[[Any], Any] | None, ...]  # the driver type the ORM wrapped it in (psycopg's Int4)
    constants: tuple[Any, ...]
    converters: tuple[tuple[int, tuple[Callable[..., Any], ...], Any], ...]  # (column, converters, expression)


def _marker(kind: type, i: int, round_: int) -> Any:
    """A stand-in for argument ``i``. Integers stay small and positive (Django refuses a lookup out of
    a field's range); two rounds of different markers must land in the same places, so a constant
    that happens to equal one can't be mistaken for an argument."""
    if kind is int:
        return 31_001 + 97 * round_ + i
    if kind is str:
        return f"\x1ftouchpoint-read-{round_}-{i}\x1f"
    if kind is datetime:
        return datetime(1901 + round_, 2, 3, 4, 5, 6, 700_000 + i, tzinfo=UTC)
    raise TypeError(f"a Read takes int, str or datetime arguments, not {kind.__name__}")


def _adapt(conn: BaseDatabaseWrapper, kind: type, value: Any) -> Any:
    """``value`` as the ORM passes it to the driver."""
    if kind is datetime:
        return conn.ops.adapt_datetimefield_value(value)
    return value


class Read:
    """``Read(lambda case_id: Model.objects.filter(case_id=case_id).values_list(...), int)`` then
    ``read(42)`` → a list of row tuples. ``kinds`` gives each argument's type (int, str, datetime)."""

    def __init__(self, build: Callable[..., QuerySet[Any, Any]], *kinds: type) -> None:
        self.build = build
        self.kinds = kinds
        self.key = f"{build.__module__}.{build.__qualname__}:{next(_SERIAL)}"  # never reused, unlike id()

    def _compile_round(self, conn: BaseDatabaseWrapper, round_: int) -> tuple[Any, str, list[int | None], list[Any]]:
        markers = [_marker(kind, i, round_) for i, kind in enumerate(self.kinds)]
        adapted = [_adapt(conn, kind, m) for kind, m in zip(self.kinds, markers, strict=True)]
        compiler = self.build(*markers).query.get_compiler(connection=conn)
        sql, params = compiler.as_sql()
        slots: list[int | None] = []
        for param in params:
            # isinstance: PostgreSQL's ORM wraps some integers in a driver type (Int4), equal to the marker
            found = [i for i, a in enumerate(adapted) if isinstance(param, type(a)) and param == a]
            slots.append(found[0] if found else None)
        return compiler, sql, slots, list(params)

    def _compile(self, conn: BaseDatabaseWrapper) -> _Compiled:
        rounds: list[tuple[Any, str, list[int | None], list[Any]] | None] = []
        for round_ in (0, 1):
            try:
                rounds.append(self._compile_round(conn, round_))
            except EmptyResultSet:  # the ORM proved no row can match (``pk__in=[]``)
                rounds.append(None)
        first_round, second_round = (r if r is not None and r[1] else None for r in rounds)
        if first_round is None and second_round is None:  # whatever the arguments: so will every call
            return _Compiled("", (), (), (), ())
        if first_round is None or second_round is None:
            raise TypeError(f"{self.key}: the ORM found no possible row for some arguments only (see core.reads)")
        compiler, sql, first, params = first_round
        _, sql_again, second, params_again = second_round
        # An argument's place holds its marker in both rounds; anything else is a constant, the same in both.
        slots = [a if a == b else None for a, b in zip(first, second, strict=True)]
        constants = [None if slot is not None else p for slot, p in zip(slots, params, strict=True)]
        again = [None if slot is not None else p for slot, p in zip(slots, params_again, strict=True)]
        lost = [i for i in range(len(self.kinds)) if i not in slots]
        if lost or sql != sql_again or constants != again:
            raise TypeError(
                f"{self.key}: argument(s) {lost or 'some'} don't reach the SQL as themselves — use an exact "
                "match for each argument (see touchpoint.core.reads)"
            )
        fields = [s[0] for s in compiler.select[0 : compiler.col_count]]
        converters = tuple(
            (pos, tuple(convs), expression) for pos, (convs, expression) in compiler.get_converters(fields).items()
        )
        wraps = tuple(
            type(p)
            if slot is not None and type(p) is not self.kinds[slot] and self.kinds[slot] is not datetime
            else None
            for slot, p in zip(slots, params, strict=True)
        )
        return _Compiled(sql, tuple(slots), wraps, tuple(constants), converters)

    def __call__(self, *args: Any) -> list[Row]:
        # Compiled per connection: each thread has its own, and the converters are bound to it.
        conn = connections[DEFAULT_DB_ALIAS]
        cache: dict[str, _Compiled] = conn.__dict__.setdefault("_touchpoint_reads", {})
        compiled = cache.get(self.key)
        if compiled is None:
            compiled = cache[self.key] = self._compile(conn)
        if not compiled.sql:
            return []
        params = []
        for slot, wrap, constant in zip(compiled.slots, compiled.wraps, compiled.constants, strict=True):
            if slot is None:
                params.append(constant)
            else:
                params.append(wrap(args[slot]) if wrap else _adapt(conn, self.kinds[slot], args[slot]))
        with conn.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        if not compiled.converters:
            return [tuple(r) for r in rows]
        out = []
        for raw in rows:
            row = list(raw)
            for pos, convs, expression in compiled.converters:
                value = row[pos]
                for convert in convs:
                    value = convert(value, expression, conn)
                row[pos] = value
            out.append(tuple(row))
        return out


class ReadInstances[M: Model]:
    """Like :class:`Read`, but each row becomes a ``model`` instance with its ``related`` foreign keys
    attached, as ``select_related`` would attach them (a null key attaches ``None``). Columns named in
    ``defer`` (``"source"``, ``"journey__source"``) are left out and read on first access, as
    ``.defer()`` would. ``where`` builds the filtered QuerySet from the call's arguments."""

    def __init__(
        self,
        model: type[M],
        where: Callable[..., QuerySet[M, M]],
        *kinds: type,
        related: tuple[str, ...] = (),
        defer: tuple[str, ...] = (),
    ) -> None:
        self.model = model
        self.parts: list[tuple[str | None, type[Model], list[str]]] = []
        for prefix in (None, *related):
            target = model if prefix is None else model._meta.get_field(prefix).related_model
            assert isinstance(target, type) and issubclass(target, Model), f"{prefix} is not a foreign key"
            if prefix is None:
                skip = {d for d in defer if "__" not in d}
            else:
                skip = {d.removeprefix(f"{prefix}__") for d in defer if d.startswith(f"{prefix}__")}
            names = [f.attname for f in target._meta.concrete_fields if f.attname not in skip]
            self.parts.append((prefix, target, names))
        paths = [name if prefix is None else f"{prefix}__{name}" for prefix, _, names in self.parts for name in names]
        self.read = Read(lambda *args: where(*args).values_list(*paths), *kinds)

    def __call__(self, *args: Any) -> list[M]:
        alias = DEFAULT_DB_ALIAS
        out = []
        for row in self.read(*args):
            at = 0
            found: M | None = None
            for prefix, target, names in self.parts:
                values = row[at : at + len(names)]
                at += len(names)
                if prefix is None:
                    found = target.from_db(alias, names, values)  # type: ignore[assignment]
                    continue
                assert found is not None
                pk_name = target._meta.pk.attname if target._meta.pk is not None else "id"
                instance = None if values[names.index(pk_name)] is None else target.from_db(alias, names, values)
                self.model._meta.get_field(prefix).set_cached_value(found, instance)  # type: ignore[union-attr]
            assert found is not None
            out.append(found)
        return out
