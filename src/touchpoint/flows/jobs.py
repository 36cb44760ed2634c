"""The refunds worker job: send the refunds due through their payment provider.

Registered in ``worker/jobs.py``; each pass claims what is due under a lease and works it
(:mod:`touchpoint.flows.refunds`), so several workers never send one refund twice, and a refund
whose worker died is sent by the next."""

from __future__ import annotations

from touchpoint.flows.refunds import refund_send, refunds_claim


def refunds_send(*, worker_id: str, batch: int, lease_seconds: float) -> int:
    """Send up to ``batch`` due refunds; how many were worked."""
    ids = refunds_claim(worker_id=worker_id, batch=batch, lease_seconds=lease_seconds)
    for refund_id in ids:
        refund_send(refund_id=refund_id, worker_id=worker_id)
    return len(ids)
