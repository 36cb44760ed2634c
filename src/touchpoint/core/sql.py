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

from django.apps import apps
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


def _table(label: str) -> str:
    return connection.ops.quote_name(apps.get_model(label)._meta.db_table)


def _col(label: str, name: str) -> str:
    return _column(apps.get_model(label), name)


def case_marks(*, case_id: int, customer_id: int) -> tuple[int, str, int, int, int, int, int, int, int, int]:
    """What the staff case view keys its kept timeline and customer card on (decision 12;
    ``console/reads/kept.py``): for the case, its timeline entries (count), their authors' names (one
    string, in no set order), the sums of the write counters (``changed``, core/changes.py) of the
    customer's messages on it and of its outgoing messages; for the customer, the sums of the write
    counters of their cases, payments, refunds, tasks and messages, and their feedbacks (count). Every
    figure is 0 (the names '') when there are no rows. One statement of ten scalar subqueries.

    Why SQL: the ORM says it as the case row's ten ``Subquery`` annotations; compiling them costs
    ~4 ms of CPU a request (``bench/profile_console.py``, more than the six statements the kept parts
    spare), this text ~0.1 ms. Models are looked up by label: ``core`` imports no domain app.
    Aggregating strings is ``string_agg`` on PostgreSQL, ``group_concat`` on SQLite (the same
    arguments); everything else is the same text on both.

    ORM equivalent (``tests/core/test_sql.py:orm_case_marks``)::

        Case.objects.filter(pk=case_id).annotate(
            entries=Coalesce(Subquery(TimelineEntry ... Count("pk")), 0),
            authors=Subquery(TimelineEntry ... StringAgg(first_name, last_name, username)),
            inbound=..., outbound=..., cases=..., payments=..., refunds=..., tasks=..., feedback=..., said=...,
        ).values_list(...)
    """
    entry = _table("cases.TimelineEntry")
    case, staff = _table("cases.Case"), _table("staff.StaffUser")
    case_pk, case_customer = _col("cases.Case", "id"), _col("cases.Case", "customer")
    changed = connection.ops.quote_name("changed")
    joined = "string_agg" if connection.vendor == "postgresql" else "group_concat"

    def total(label: str, column: str) -> str:
        return f"(SELECT COALESCE(SUM({changed}), 0) FROM {_table(label)} WHERE {_col(label, column)} = %s)"  # noqa: S608

    def customers(label: str, figure: str) -> str:
        table = _table(label)
        return (
            f"(SELECT {figure} FROM {table} JOIN {case} ON {case}.{case_pk} = {table}.{_col(label, 'case')} "  # noqa: S608
            f"WHERE {case}.{case_customer} = %s)"
        )

    user = _col("cases.TimelineEntry", "actor_user")
    first, last, username = (_col("staff.StaffUser", n) for n in ("first_name", "last_name", "username"))
    named = f"{staff}.{first} || ' ' || {staff}.{last} || ' ' || {staff}.{username}"
    sql = (
        "SELECT "  # noqa: S608
        f"(SELECT COUNT(*) FROM {entry} WHERE {_col('cases.TimelineEntry', 'case')} = %s), "
        f"(SELECT COALESCE({joined}({named}, '|'), '') FROM {entry} "
        f"JOIN {staff} ON {staff}.{_col('staff.StaffUser', 'id')} = {entry}.{user} "
        f"WHERE {entry}.{_col('cases.TimelineEntry', 'case')} = %s), "
        f"{total('inbox.InboundMessage', 'case')}, {total('outbox.OutboxMessage', 'case')}, "
        f"{total('cases.Case', 'customer')}, "
        f"{customers('payments.Payment', f'COALESCE(SUM({_table("payments.Payment")}.{changed}), 0)')}, "
        f"{customers('payments.Refund', f'COALESCE(SUM({_table("payments.Refund")}.{changed}), 0)')}, "
        f"{customers('cases.Task', f'COALESCE(SUM({_table("cases.Task")}.{changed}), 0)')}, "
        f"{customers('feedback.Feedback', 'COUNT(*)')}, "
        f"{total('inbox.InboundMessage', 'customer')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [case_id] * 4 + [customer_id] * 6)
        row = cursor.fetchone()
    entries, authors, *figures = row
    return (int(entries), str(authors or ""), *(int(f) for f in figures))  # type: ignore[return-value]
