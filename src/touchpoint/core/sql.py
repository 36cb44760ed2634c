"""The few statements written as SQL, because a profile showed the ORM can't say them in one.

Everything else reads and writes through the ORM (ADR 0009). Each function here is one plain
statement with parameters; table and column names come from the model's ``_meta`` (so a rename
can't leave the SQL behind), values are converted by each field's ``get_db_prep_save`` as the ORM
would, and ``tests/core/test_sql.py`` checks on SQLite and PostgreSQL that it writes and reads the
same rows as the ORM equivalent named in its docstring. Both databases take the same text (SQLite
has had ``ON CONFLICT … DO UPDATE`` and ``RETURNING`` since 3.35).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import Field, Model

from touchpoint.core.models import RateWindow


def _field(model: type[Model], name: str) -> Field[Any, Any]:
    """A concrete column of ``model`` (its public ``_meta`` API; no SQL compiler involved)."""
    field = model._meta.get_field(name)
    if not isinstance(field, Field) or field.column is None:
        raise TypeError(f"{model.__name__}.{name} is not a column")
    return field


def _column(model: type[Model], name: str) -> str:
    return connection.ops.quote_name(str(_field(model, name).column))


def rate_window_count(*, key: str, window_start: int, expires_at: datetime) -> int:
    """Count one request in the rate-limit window ``(key, window_start)``, opening the window when
    it is new; returns the window's count after this request. One atomic statement: the caller
    needs no transaction, and two processes counting at once both count.

    Why SQL: the ORM says it as an UPDATE … SET count = count + 1, then (for a new window) a savepoint
    and an INSERT (a racing INSERT's IntegrityError retried as the UPDATE), then a SELECT of the
    count: five statements and ~0.7 ms of CPU per hit in ``bench/profile_order.py``, and every order
    takes two hits. ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` is one statement (~0.1 ms); the
    ORM's ``bulk_create(update_conflicts=True)`` can only copy the new row's values, not add one.

    ORM equivalent::

        updated = RateWindow.objects.filter(key=key, window_start=window_start).update(count=F("count") + 1)
        if not updated:
            RateWindow.objects.create(key=key, window_start=window_start, count=1, expires_at=expires_at)
        RateWindow.objects.get(key=key, window_start=window_start).count
    """
    table = connection.ops.quote_name(RateWindow._meta.db_table)
    key_, start, count, expires = (_column(RateWindow, n) for n in ("key", "window_start", "count", "expires_at"))
    sql = (
        f"INSERT INTO {table} ({key_}, {start}, {count}, {expires}) VALUES (%s, %s, 1, %s) "  # noqa: S608 - names from the model
        f"ON CONFLICT ({key_}, {start}) DO UPDATE SET {count} = {table}.{count} + 1 RETURNING {count}"
    )
    expires_value = _field(RateWindow, "expires_at").get_db_prep_save(expires_at, connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, [key, window_start, expires_value])
        return int(cursor.fetchone()[0])
