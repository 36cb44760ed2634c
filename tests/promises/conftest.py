from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _opening_hours_fresh() -> Iterator[None]:
    """Each test counts with its own database's opening hours, not a copy an earlier test's process kept."""
    from touchpoint.shop.opening_hours import opening_hours_forget

    opening_hours_forget()
    yield
    opening_hours_forget()
