"""The same carrier delivery posted twice at the same instant by two processes (a provider's retry
racing its first attempt): every event is kept once and the case moves once, on both databases."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.support.carriers import SECRETS, configure, dispatched, recorded
from tests.support.processes import django_env, python
from touchpoint.cases.models import Case, TimelineEntry
from touchpoint.shipping.models import TrackingEvent

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_processes_delivering_the_same_event_at_once_keep_it_once_and_move_the_case_once(
    settings: Any, tmp_path: Path
) -> None:
    # Given a kit in the post
    configure(settings)
    customer = dispatched()
    body = tmp_path / "delivered.json"
    body.write_bytes(recorded("aftership", "delivered"))
    env = django_env(TOUCHPOINT_CARRIER_AFTERSHIP_SECRET=SECRETS["aftership"])
    children = [python("tests.support.carriers.race", "aftership", str(body), env=env) for _ in range(2)]
    for child in children:  # both hold the delivery …
        assert child.stdout is not None and child.stdout.readline().strip() == "ready"
    for child in children:  # … before either sends it
        assert child.stdin is not None
        child.stdin.write("go\n")
        child.stdin.flush()
    results = [child.communicate(timeout=120) for child in children]
    assert [child.returncode for child in children] == [0, 0], results
    answers = [json.loads(out.strip().splitlines()[-1]) for out, _ in results]

    # Then each answered (a 409 only asks the provider to retry), every checkpoint is kept once …
    assert {answer["status"] for answer in answers} <= {200, 409}, answers
    case = Case.objects.get(pk=customer.case.pk)
    assert TrackingEvent.objects.filter(shipment__case=case).count() == 5
    # … and the case moved once, by the carrier
    assert case.state == "awaiting_device"
    assert list(
        TimelineEntry.objects.filter(case=case, event="box_delivered").values_list("actor_kind", flat=True)
    ) == ["carrier"]
    moved = [u for answer in answers if answer["status"] == 200 for u in answer["body"]["updates"] if u["moved_by"]]
    assert len(moved) <= 1
