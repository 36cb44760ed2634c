"""Shared fixtures. Tests touching the database run on SQLite and, in the second leg of
``make test``, on PostgreSQL (``DATABASE_URL``)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.support.factories import CustomerFactory, StaffFactory
from touchpoint.cases.actors import SYSTEM
from touchpoint.cases.journeys import journey_register
from touchpoint.cases.models import Case, JourneyVersion
from touchpoint.cases.services.advance import case_open
from touchpoint.customers.models import Customer
from touchpoint.staff.models import Role, StaffUser

SUPPORT = Path(__file__).parent / "support"
CORPORA = Path(__file__).resolve().parents[2] / "shared" / "corpora"


def pytest_report_header() -> str:
    url = os.environ.get("DATABASE_URL", "")
    return f"database: {'PostgreSQL ' + url.split('@')[-1] if url else 'SQLite (embedded)'}"


def on_postgres() -> bool:
    return os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))


@pytest.fixture
def mini_journey(db: Any) -> JourneyVersion:
    path = SUPPORT / "mini-repair.yaml"
    return journey_register(source=path.read_text(), filename=str(path))


@pytest.fixture
def customer(db: Any) -> Customer:
    return CustomerFactory(name="Ian Kearns", email="ian@example.com")


@pytest.fixture
def bench_tech(db: Any) -> StaffUser:
    return StaffFactory(username="tech", teams=["bench"])


@pytest.fixture
def lead(db: Any) -> StaffUser:
    return StaffFactory(username="lead", role=Role.LEAD, teams=["care"])


@pytest.fixture
def new_case(mini_journey: JourneyVersion, customer: Customer) -> Case:
    return case_open(journey="mini-repair", customer=customer, actor=SYSTEM, data={"model": "nano-4g"}).case
