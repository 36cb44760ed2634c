from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from touchpoint.cases.actors import SYSTEM, staff_actor
from touchpoint.cases.models import Case
from touchpoint.flows.advance import case_advance
from touchpoint.outbox.models import OutboxMessage


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    """Attachments land in a fresh directory per test."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def paid_case(new_case: Case) -> Case:
    """A case that has sent the customer one touch point (so there is a thread to reply to)."""
    return case_advance(case=new_case, event="payment_received", actor=SYSTEM).case


@pytest.fixture
def awaiting_ok(paid_case: Case, bench_tech: Any) -> Case:
    """A case waiting for the customer to approve extra work (mini-repair's `awaiting_ok`)."""
    from touchpoint.cases.actors import CARRIER

    case = case_advance(case=paid_case, event="device_arrived", actor=CARRIER).case
    return case_advance(case=case, event="repaired", actor=staff_actor(bench_tech), given={"needs_ok": True}).case


def sent_message_id(case: Case) -> str:
    return str(OutboxMessage.objects.filter(case=case).order_by("created_at").first().headers["Message-ID"])  # type: ignore[union-attr]
