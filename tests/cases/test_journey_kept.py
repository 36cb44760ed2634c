"""Each process keeps every journey's newest version (``journey_latest``) between the cases it opens,
and never opens a case on an older one once a newer registration has committed here, nor on one whose
registration rolled back.

These tests commit (``transaction=True``), as a running site does: a copy is kept only once a
registration has committed."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from tests.conftest import SUPPORT
from touchpoint.cases import journeys
from touchpoint.cases.actors import SYSTEM
from touchpoint.cases.journeys import journey_register
from touchpoint.cases.models import Case, JourneyVersion
from touchpoint.customers.models import Customer
from touchpoint.flows.advance import case_open

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("mini_journey")]
SOURCE = (SUPPORT / "mini-repair.yaml").read_text()
VERSION_2 = SOURCE.replace("version: 1", "version: 2")


def opened(customer: Customer) -> Case:
    return case_open(journey="mini-repair", customer=customer, actor=SYSTEM, data={"model": "nano-4g"}).case


def version_reads(queries: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if "cases_journeyversion" in q["sql"]]


@pytest.fixture
def kept_long(monkeypatch: pytest.MonkeyPatch) -> None:
    """No copy is rechecked during the test (however slow the machine): only a registration refreshes it."""
    monkeypatch.setattr(journeys, "RECHECK_SECONDS", 3600.0)


@pytest.mark.usefixtures("kept_long")
def test_the_next_case_reads_no_journey_version(customer: Customer) -> None:
    opened(customer)
    with CaptureQueriesContext(connection) as queries:
        case = opened(customer)
    assert version_reads(queries) == []
    assert case.journey.version == 1


@pytest.mark.usefixtures("kept_long")
def test_a_version_registered_in_this_process_opens_the_next_case_at_once(customer: Customer) -> None:
    assert opened(customer).journey.version == 1  # kept
    journey_register(source=VERSION_2, filename="mini-repair-v2.yaml")
    assert opened(customer).journey.version == 2


def test_another_processs_version_is_used_once_the_copy_is_rechecked(
    customer: Customer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(journeys, "RECHECK_SECONDS", 3600.0)
    assert opened(customer).journey.version == 1
    # Another process registers version 2: its row appears behind this process's back.
    JourneyVersion.objects.create(
        name="mini-repair", version=2, source=VERSION_2, sha256=hashlib.sha256(VERSION_2.encode()).hexdigest()
    )
    assert opened(customer).journey.version == 1  # within RECHECK_SECONDS: the kept copy
    monkeypatch.setattr(journeys, "RECHECK_SECONDS", 0.0)
    assert opened(customer).journey.version == 2


@pytest.mark.usefixtures("kept_long")
def test_a_registration_that_rolls_back_is_never_kept(customer: Customer) -> None:
    opened(customer)

    class Undone(Exception):
        pass

    with pytest.raises(Undone), transaction.atomic():
        journey_register(source=VERSION_2, filename="mini-repair-v2.yaml")
        assert opened(customer).journey.version == 2  # inside its transaction, the new version
        raise Undone
    case: Any = opened(customer)
    assert (case.journey.version, JourneyVersion.objects.filter(version=2).exists()) == (1, False)
    assert Case.objects.filter(journey__version=2).count() == 0
