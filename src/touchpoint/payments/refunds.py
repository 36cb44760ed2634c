"""Refunds a journey promises: written in the transaction of the move whose message says so.

A transition with ``refund:`` calls :func:`refund_promised` from ``case_advance`` (inside its
transaction), so the move, the message that says "refunded" and the record that keeps the promise
commit together. The refund never depends on an agent's discretionary limit: the journey decided."""

from __future__ import annotations

from datetime import datetime

from touchpoint.cases.models import Case


def refund_promised(*, case: Case, what: str, at: datetime) -> None:
    """Record the refund ``what`` (``all``, or a money field of the case data) for ``case``.

    The caller holds the transaction that moves the case."""
    raise NotImplementedError("refunds promised by a journey are not recorded yet")
