"""Found by fuzzing the admin (tests/fuzz): records only the product writes (timers, outbox messages,
workers' heartbeats) had an "Add" page whose every field is read-only, so saving it raised an
IntegrityError (a 500). They can be read, never added by hand."""

from __future__ import annotations

import re

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


@pytest.mark.parametrize(
    "url",
    [
        "/admin/touchpoints/templateoverride/add/?journey=mail-in-repair&key=" + "9" * 300,
        "/admin/touchpoints/templateoverride/add/?journey=" + "9" * 300 + "&key=arrived",
        "/admin/touchpoints/personaoverride/add/?key=" + "9" * 300,
    ],
)
def test_a_template_or_persona_asked_for_by_a_name_no_journey_has_starts_empty(admin_client: Client, url: str) -> None:
    # The name went straight into a file path: 300 characters raised OSError (file name too long)
    response = admin_client.get(url)
    assert response.status_code == 200
    assert re.search(r'<textarea name="source"[^>]*>\s*</textarea>', response.content.decode())  # nothing read


def test_a_persona_is_never_read_from_outside_the_personas(admin_client: Client) -> None:
    response = admin_client.get(
        "/admin/touchpoints/personaoverride/add/", {"key": "../../journeys/library/mail-in-repair"}
    )
    assert response.status_code == 200
    assert "max_silence" not in response.content.decode()  # the journey's YAML was read as a persona


@pytest.mark.parametrize("object_id", ["abc", "²", "9" * 30])
def test_a_preview_that_isnt_there_is_a_404(admin_client: Client, object_id: str) -> None:
    # get_object_or_404(pk="abc") raised ValueError (a 500)
    assert admin_client.get(f"/admin/touchpoints/touchpointpreview/{object_id}/change/").status_code == 404
