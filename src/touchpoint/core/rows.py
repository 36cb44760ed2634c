"""Lean row writes for the hot path (every transition writes five rows in one transaction).

The ORM compiles the same INSERT and UPDATE statements afresh on each call, which costs more than
the database's own work. These helpers build each statement once per model and column set, from
the model's own fields (so the SQL can't drift from the schema), and convert values with each
field's ``get_db_prep_save``, exactly as the ORM would. No signals are involved (we use none).
Callers hold a transaction; these never open one.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from django.db import connection
from django.db.models import Field, Model


def _field(model: type[Model], name: str) -> Field[Any, Any]:
    """A concrete column of ``model`` by field name or attname (``case`` or ``case_id``)."""
    field = model._meta.get_field(name)
    if not isinstance(field, Field) or field.column is None:
        raise TypeError(f"{model.__name__}.{name} is not a column")
    return field


def _column(field: Field[Any, Any]) -> str:
    return connection.ops.quote_name(str(field.column))


@cache
def _insert_sql(model: type[Model], vendor: str) -> tuple[str, tuple[Field[Any, Any], ...]]:
    meta = model._meta
    fields = tuple(f for f in meta.concrete_fields if not f.primary_key)
    columns = ", ".join(_column(f) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    table, pk = connection.ops.quote_name(meta.db_table), _column(meta.pk)
    sql = f"INSERT INTO {table} ({columns}) VALUES ({marks}) RETURNING {pk}"  # noqa: S608 - names from the model
    return sql, fields


def insert[M: Model](obj: M) -> M:
    """INSERT ``obj`` as ``obj.save()`` would for a new row, and set its primary key."""
    sql, fields = _insert_sql(type(obj), connection.vendor)
    params = [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    obj.pk = row[0]
    obj._state.adding = False
    obj._state.db = connection.alias
    return obj


@cache
def _update_sql(model: type[Model], vendor: str, setting: tuple[str, ...], where: tuple[str, ...]) -> str:
    assignments = ", ".join(f"{_column(_field(model, n))} = %s" for n in setting)
    conditions = " AND ".join(f"{_column(_field(model, n))} = %s" for n in where)
    table = connection.ops.quote_name(model._meta.db_table)
    return f"UPDATE {table} SET {assignments} WHERE {conditions}"  # noqa: S608 - names from the model


def update(model: type[Model], *, where: Mapping[str, Any], values: Mapping[str, Any]) -> int:
    """``UPDATE model SET values WHERE field = value AND …``; returns the number of rows changed."""
    sql = _update_sql(model, connection.vendor, tuple(values), tuple(where))
    params = [_field(model, n).get_db_prep_save(v, connection) for n, v in values.items()]
    params += [_field(model, n).get_db_prep_save(v, connection) for n, v in where.items()]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return int(cursor.rowcount)
