"""Shared fixtures. Tests touching the database run on SQLite and, in the second leg of
``make test``, on PostgreSQL (``DATABASE_URL``)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

# Django is imported inside the fixtures, so the journey tests run without it (`-p no:django`).
if TYPE_CHECKING:
    from touchpoint.cases.models import Case, JourneyVersion
    from touchpoint.customers.models import Customer
    from touchpoint.staff.models import StaffUser

SUPPORT = Path(__file__).parent / "support"

# Browser fixtures (phone, desktop): Debian's Chromium through Playwright. See tests/support/browser.py.
# force_login gives a lead's or admin's session its two-factor code. See tests/support/two_factor.py.
pytest_plugins = ["tests.support.browser", "tests.support.carrier_fixtures", "tests.support.two_factor"]


DB_FIXTURES = frozenset({"db", "transactional_db", "live_server", "django_db_reset_sequences"})


def _uses_database(item: pytest.Item) -> bool:
    fixtures = set(getattr(item, "fixturenames", ()))
    return item.get_closest_marker("django_db") is not None or bool(DB_FIXTURES & fixtures)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The second leg of ``make test`` (PostgreSQL, ``TOUCHPOINT_DATABASE_TESTS_ONLY=1``) runs the
    tests that use the database: the others ran on SQLite a minute before, and a database they
    never open can't change their outcome. Said in the summary, never silent."""
    if os.environ.get("TOUCHPOINT_DATABASE_TESTS_ONLY") != "1":
        return
    kept = [item for item in items if _uses_database(item)]
    if len(kept) != len(items):
        config.hook.pytest_deselected(items=[item for item in items if not _uses_database(item)])
        items[:] = kept


def pytest_report_header() -> str:
    url = os.environ.get("DATABASE_URL", "")
    return f"database: {'PostgreSQL ' + url.split('@')[-1] if url else 'SQLite (embedded)'}"


@pytest.fixture(autouse=True)
def _shop_settings_fresh(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every test reads the shop's settings from its own database: a copy a process kept in an
    earlier test (whose transaction rolled back) must not leak into the next one.

    Within a test a kept copy is rechecked only when the process saves a change (as it is at once in
    production); the 5-second recheck for another process's edits is wall-clock time, so on a busy
    machine it made a page's exact query count depend on how long the test took (one query more, now
    and then). The tests of the recheck itself set their own window."""
    try:
        from django.conf import settings

        configured = settings.configured
    except ImportError:  # the journey tests run without Django (-p no:django)
        configured = False
    if not configured:
        yield
        return
    from django.core.cache import cache

    from touchpoint.cases import journeys
    from touchpoint.cases.journeys import journeys_forget
    from touchpoint.flows.silence_guard import silence_guard_forget
    from touchpoint.shop import opening_hours, selectors
    from touchpoint.shop.opening_hours import opening_hours_forget
    from touchpoint.shop.selectors import shop_settings_forget
    from touchpoint.staff.first_run import forget_owner
    from touchpoint.touchpoints import overrides
    from touchpoint.touchpoints.overrides import overrides_forget

    for kept in (overrides, selectors, opening_hours, journeys):
        monkeypatch.setattr(kept, "RECHECK_SECONDS", 3600.0)
    shop_settings_forget()
    forget_owner()  # "someone is on the staff" is remembered per process too
    overrides_forget()  # and the shop's own templates and persona
    silence_guard_forget()  # and the minute the silence guard last scanned in
    opening_hours_forget()  # and the teams' opening hours
    journeys_forget()  # and each journey's newest version
    cache.clear()  # and the pages' kept drawings ({% cache %}, the case view's kept parts), keyed by rows of a
    # database rolled back since (ids come again after a rollback)
    yield
    shop_settings_forget()
    forget_owner()
    overrides_forget()
    opening_hours_forget()
    journeys_forget()


@pytest.fixture
def mini_journey(db: Any) -> JourneyVersion:
    from touchpoint.cases.journeys import journey_register

    path = SUPPORT / "mini-repair.yaml"
    return journey_register(source=path.read_text(), filename=str(path))


@pytest.fixture
def customer(db: Any) -> Customer:
    from tests.support.factories import CustomerFactory

    return CustomerFactory(name="Ian Kearns", email="ian@example.com")


@pytest.fixture
def bench_tech(db: Any) -> StaffUser:
    from tests.support.factories import StaffFactory

    return StaffFactory(username="tech", teams=["bench"])


@pytest.fixture
def lead(db: Any) -> StaffUser:
    from tests.support.factories import StaffFactory
    from touchpoint.staff.models import Role

    return StaffFactory(username="lead", role=Role.LEAD, teams=["care"])


@pytest.fixture
def new_case(mini_journey: JourneyVersion, customer: Customer) -> Case:
    from touchpoint.cases.actors import SYSTEM
    from touchpoint.flows.advance import case_open

    return case_open(journey="mini-repair", customer=customer, actor=SYSTEM, data={"model": "nano-4g"}).case


REPORTED: list[str] = []  # on the process that prints the summary (xdist's controller, or the only one)


@pytest.fixture(autouse=True)
def _carry_reports(request: pytest.FixtureRequest) -> Iterator[None]:
    """Lines a test reported travel with its results, so they reach the summary from xdist workers too."""
    from tests.support.report import LINES

    start = len(LINES)
    yield
    request.node.user_properties.extend(("reported", line) for line in LINES[start:])


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "teardown":
        REPORTED.extend(str(value) for name, value in report.user_properties if name == "reported")


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Show what tests reported with ``tests.support.report.report`` (corpus shares and the like)."""
    if REPORTED:
        terminalreporter.section("reported by the tests")
        for line in REPORTED:
            terminalreporter.write_line(line)
