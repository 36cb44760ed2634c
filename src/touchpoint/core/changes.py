"""Rows that count their own writes, so a page can keep what it drew from them (decision 12).

A :class:`Counted` model's ``changed`` starts at 1 and moves by one with every write of the row:
every ``QuerySet.update`` (``bulk_update`` goes through it) adds ``changed = changed + 1`` to the same
statement, and every ``save`` of an existing row does too. So the sum of ``changed`` over any set of
rows that are never deleted moves whenever one of them is written or one is added; a page keeps what
it drew from them under that sum (``console/reads/kept.py``). Only SQL written by hand could write such a row
without moving it: there is none for these tables (``core/sql.py`` holds every statement written by
hand), and a new one must say ``changed = changed + 1`` too."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models

M = TypeVar("M", bound=models.Model)


class CountedQuerySet(models.QuerySet[M]):
    def update(self, **kwargs: Any) -> int:
        kwargs.setdefault("changed", models.F("changed") + 1)
        return super().update(**kwargs)


class Counted(models.Model):
    """An abstract model whose rows count their writes (its insert is the first)."""

    changed = models.PositiveIntegerField(
        default=1, db_default=1, editable=False, help_text="Writes of this row so far (its insert included)"
    )

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        """An existing row's save moves ``changed`` too (in its UPDATE, then read back)."""
        if self._state.adding:
            super().save(*args, **kwargs)
            return
        self.changed = models.F("changed") + 1
        fields = kwargs.get("update_fields")
        if fields is not None:
            kwargs["update_fields"] = {*fields, "changed"}
        super().save(*args, **kwargs)
        self.refresh_from_db(fields=["changed"])
