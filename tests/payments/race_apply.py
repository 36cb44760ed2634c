"""Child process for the webhook race: say "ready", wait for "go" on stdin, apply one Stripe event."""

from __future__ import annotations

import sys
from decimal import Decimal

import django


def main() -> None:
    event_id, session_id = sys.argv[1], sys.argv[2]
    django.setup()
    from touchpoint.flows.payments import payment_event_apply
    from touchpoint.payments.providers.base import ProviderEvent

    event = ProviderEvent(
        event_id=event_id,
        type="checkout.session.completed",
        outcome="succeeded",
        provider_ref=session_id,
        amount=Decimal("39.00"),
        currency="gbp",
    )
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    sys.stdin.readline()  # the starting gun: both deliveries arrive at once
    applied = payment_event_apply(event=event)
    sys.stdout.write(f"{applied.record.outcome} duplicate={applied.duplicate}\n")


if __name__ == "__main__":
    main()
