"""The link requests worker job: answer the "email me a new link" requests the page queued.

Registered in ``worker/jobs.py``. Each pass claims queued requests under a lease, answers each
(:func:`touchpoint.outbox.link_mail.link_request_send`: an email when the address is a customer's with
something to show, at most one per address in a quarter of an hour) and deletes it. A request whose
worker died is claimed again when its lease runs out; answering it twice sends one email."""

from __future__ import annotations

from datetime import timedelta

from touchpoint.core.clock import now
from touchpoint.core.leases import lease_due
from touchpoint.links.models import LinkRequest
from touchpoint.outbox.link_mail import link_request_send

# A request nobody could answer in a day (it failed every time) is moot: the person has asked again
# or written to us. Dropped so a poisoned row can't be retried for ever.
STALE = timedelta(days=1)


def link_requests_work(*, worker_id: str, batch: int, lease_seconds: float) -> int:
    """Answer up to ``batch`` queued requests, oldest first; returns how many were worked."""
    LinkRequest.objects.filter(asked_at__lt=now() - STALE).delete()
    ids = lease_due(
        LinkRequest.objects.all(), due_field="asked_at", worker_id=worker_id, batch=batch, lease_seconds=lease_seconds
    )
    for request in LinkRequest.objects.filter(pk__in=ids, lease_owner=worker_id):
        link_request_send(email=request.email)
        request.delete()
    return len(ids)
