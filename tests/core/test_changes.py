"""Counted rows (core/changes.py): every write moves ``changed``, whichever way it is made; and every
row the case view keeps a drawn part from (console/reads/kept.py) is counted, append-only or written
once, so a new writer can't change what a kept part shows without moving its key."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib import admin

from tests.console.given import open_repair
from touchpoint.cases.models import Case, TimelineEntry
from touchpoint.console.reads.kept import APPEND_ONLY, COUNTED, WRITTEN_ONCE
from touchpoint.core.changes import Counted, CountedQuerySet
from touchpoint.outbox.models import OutboxMessage

SRC = Path(__file__).resolve().parents[2] / "src" / "touchpoint"


def test_every_counted_model_counts_through_its_manager() -> None:
    for label in COUNTED:
        model = apps.get_model(label)
        assert issubclass(model, Counted), label
        assert isinstance(model._default_manager.all(), CountedQuerySet), label


@pytest.mark.django_db
def test_every_way_of_writing_a_row_moves_its_counter_by_one() -> None:
    case = open_repair()
    message = OutboxMessage.objects.get(case=case)
    assert (Case.objects.get(pk=case.pk).changed, message.changed) == (1, 1)  # each as inserted
    OutboxMessage.objects.filter(pk=message.pk).update(delivery="queued")
    message.refresh_from_db()
    assert message.changed == 2
    message.delivery = "sent"
    message.save(update_fields=["delivery"])
    assert message.changed == 3
    message.delivery = "delivered"
    message.save()
    assert message.changed == 4
    message.delivery = "failed"
    OutboxMessage.objects.bulk_update([message], ["delivery"])
    message.refresh_from_db()
    assert (message.changed, message.delivery) == (5, "failed")


@pytest.mark.django_db
def test_the_timeline_refuses_any_write_after_its_insert() -> None:
    case = open_repair()
    for model in (apps.get_model(label) for label in APPEND_ONLY):
        rows = model._default_manager.filter(case=case)
        with pytest.raises(TypeError):
            rows.update(summary="changed")
    entry = TimelineEntry.objects.filter(case=case).first()
    assert entry is not None
    with pytest.raises(TypeError):
        entry.save()


def test_a_feedback_is_only_ever_created_and_the_admin_shows_it_read_only() -> None:
    for label in WRITTEN_ONCE:
        model = apps.get_model(label)
        name = model.__name__
        writes = re.compile(rf"{name}\.objects[^\n]*\.(update|bulk_update|update_or_create)\(|\b{name.lower()}\.save\(")
        found = [
            str(path)
            for path in SRC.rglob("*.py")
            if "migrations" not in path.parts and writes.search(path.read_text())
        ]
        assert found == [], label
        shown = {"case", "csat", "comment", "created_at"}  # what the customer card shows of it
        assert shown <= set(admin.site._registry[model].readonly_fields), label


def test_no_sql_written_by_hand_writes_a_kept_parts_rows() -> None:
    """Nothing names their tables but ``core/sql.py``, and there only ``case_marks`` reads them."""
    labels = (*COUNTED, *APPEND_ONLY, *WRITTEN_ONCE)
    tables = [apps.get_model(label)._meta.db_table for label in labels]
    for path in SRC.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        text = path.read_text()
        assert not [t for t in tables if t in text], path
    sql = (SRC / "core" / "sql.py").read_text()
    functions = re.split(r"\n(?=def )", sql)
    naming = [f for f in functions if any(f'"{label}"' in f for label in labels)]
    assert [f.split("(", 1)[0] for f in naming] == ["def case_marks"]
    assert not re.search(r"\b(UPDATE|INSERT|DELETE)\b", naming[0].split('"""', 2)[2])
