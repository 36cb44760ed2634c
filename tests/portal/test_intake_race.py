"""Two submits of one order form at the same moment (a double tap on a slow phone) open one case."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from tests.portal.test_intake_service import ORDER, shop  # noqa: F401 - the fixture
from touchpoint.cases.models import Case
from touchpoint.customers.models import Customer
from touchpoint.flows.intake import order_place

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("shop")]


def test_two_simultaneous_submits_of_one_form_open_one_case() -> None:
    start = threading.Barrier(2)
    opened: list[int] = []
    failures: list[BaseException] = []

    def submit() -> None:
        try:
            start.wait()
            opened.append(order_place(order=ORDER, nonce="double-tap").pk)
        except BaseException as exc:  # reported below, with the test's own assertion
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert failures == []
    assert len(opened) == 2 and opened[0] == opened[1]
    assert list(Case.objects.values_list("pk", flat=True)) == [opened[0]]
    assert Customer.objects.count() == 1
