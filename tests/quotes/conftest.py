"""The quotes tests' fixtures: a case at the bench, and the bench signed in."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.quotes.repair import crew, repair_case
from touchpoint.cases.models import Case
from touchpoint.customers.models import Customer


@pytest.fixture
def surgery(customer: Customer) -> Case:
    return repair_case(customer, "in_surgery")


@pytest.fixture
def bench(client: Client) -> Client:
    client.force_login(crew())
    return client
