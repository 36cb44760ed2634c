"""Stripe delivering one event twice at the same moment, to two processes: applied once."""

from __future__ import annotations

from typing import Any

import pytest

from tests.payments.conftest import SESSION_ID, RecordedStripe, open_repair, start_checkout, touchpoints
from tests.support.processes import django_env, python
from touchpoint.cases.models import Case, TimelineEntry
from touchpoint.payments.models import PaymentEvent

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("mail_in_repair")]


def test_the_same_event_in_two_processes_at_once_is_applied_once(recorded_stripe: RecordedStripe) -> None:
    # Given a customer at Stripe's checkout
    case = open_repair()
    start_checkout(case, recorded_stripe)
    # When two web processes receive the same completed event at the same moment
    children = [python("tests.payments.race_apply", "evt_twice", SESSION_ID, env=django_env()) for _ in range(2)]
    for child in children:
        assert child.stdout is not None and child.stdout.readline().strip() == "ready"
    for child in children:
        assert child.stdin is not None
        child.stdin.write("go\n")
        child.stdin.flush()
    results: list[Any] = [child.communicate(timeout=60) for child in children]
    # Then one applied it and the other saw it was already applied
    assert [child.returncode for child in children] == [0, 0], results
    assert sorted(out.strip() for out, _ in results) == ["applied duplicate=False", "applied duplicate=True"]
    # And the case moved once, with one message and one event kept
    events = list(TimelineEntry.objects.filter(case=case).order_by("seq").values_list("event", flat=True))
    assert events == ["opened", "card_submitted", "payment_succeeded"]
    assert Case.objects.get(pk=case.pk).version == 3
    assert touchpoints(case) == ["order_received", "order_confirmed_send_device"]
    assert PaymentEvent.objects.count() == 1
