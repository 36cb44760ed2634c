"""Fixtures of the carrier tests (registered in tests/conftest.py): the aggregators' secrets and
addresses, and the loopback server that answers for their APIs with recorded responses. The project's
modules are imported inside them: the journey tests load this plugin without Django."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from tests.support.carrier_api_server import CarrierApi


@pytest.fixture
def carrier_secrets(settings: Any) -> None:
    """Each aggregator's webhook secret and API key (a test module uses it for every test)."""
    from tests.support.carriers import configure

    configure(settings)


@pytest.fixture
def api() -> Iterator[CarrierApi]:
    from tests.support.carrier_api_server import carrier_api

    with carrier_api() as server:
        yield server
