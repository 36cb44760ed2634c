"""Found by fuzzing the admin (tests/fuzz): records only the product writes (timers, outbox messages,
workers' heartbeats) had an "Add" page whose every field is read-only, so saving it raised an
IntegrityError (a 500). They can be read, never added by hand."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.support.factories import StaffFactory
from touchpoint.cases.models import Timer
from touchpoint.ops.models import WorkerHeartbeat
from touchpoint.outbox.models import OutboxMessage

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client() -> Client:
    client = Client()
    client.force_login(StaffFactory(username="root", is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize(
    ("url", "model"),
    [
        ("/admin/cases/timer/add/", Timer),
        ("/admin/outbox/outboxmessage/add/", OutboxMessage),
        ("/admin/ops/workerheartbeat/add/", WorkerHeartbeat),
    ],
)
def test_records_only_the_product_writes_cant_be_added_by_hand(
    admin_client: Client, url: str, model: type[Timer | OutboxMessage | WorkerHeartbeat]
) -> None:
    before = model.objects.count()
    assert admin_client.post(url, {"_save": "Save"}).status_code == 403
    assert admin_client.get(url).status_code == 403
    assert model.objects.count() == before
    changelist = admin_client.get(url.removesuffix("add/")).content.decode()
    assert url not in changelist  # no "Add" button leads there


@pytest.mark.xfail(
    strict=True,
    raises=Exception,
    reason="Django's admin (6.1) takes an empty ?_to_field= as a field named '' on a change page "
    "(FieldDoesNotExist, a 500 for a signed-in admin); reported upstream, remove this marker once fixed",
)
def test_an_empty_to_field_on_an_admin_change_page(admin_client: Client) -> None:
    admin_client.raise_request_exception = True
    response = admin_client.get("/admin/catalog/problem/1/change/", {"_to_field": ""})
    assert response.status_code < 500
