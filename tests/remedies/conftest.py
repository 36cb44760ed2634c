from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

NOON = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)  # London is on UTC in November: noon is 12:00 pm


@pytest.fixture
def agent(db: Any) -> Any:
    from tests.support.factories import StaffFactory

    return StaffFactory(username="jo", first_name="Jo", last_name="Marsh", teams=["care"])


@pytest.fixture
def admin_user(db: Any) -> Any:
    from tests.support.factories import StaffFactory
    from touchpoint.staff.models import Role

    return StaffFactory(username="ada", first_name="Ada", last_name="Stone", role=Role.ADMIN, teams=["care"])


@pytest.fixture
def at_noon() -> Any:
    from touchpoint.core.clock import at

    with at(NOON):
        yield NOON
