"""Found by fuzzing the admin (tests/fuzz): records only the product writes (timers, outbox messages,
workers' heartbeats) had an "Add" page whose every field is read-only, so saving it raised an
IntegrityError (a 500). They can be read, never added by hand."""

from __future__ import annotations

import re
from html import unescape

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


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_empty_to_field_on_an_admin_change_page_is_refused_saying_so(admin_client: Client, method: str) -> None:
    # Django's own change form took '' as a field's name (FieldDoesNotExist: a 500)
    admin_client.raise_request_exception = True
    response = getattr(admin_client, method)("/admin/catalog/problem/1/change/?_to_field=", {"_to_field": ""})
    assert response.status_code == 400
    assert "_to_field parameter is empty" in response.content.decode()


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


def test_a_popup_source_model_without_a_dot_is_refused_and_nothing_added(admin_client: Client) -> None:
    # Django's own popup save split it on '.' without checking there is one (ValueError: a 500)
    from touchpoint.catalog.models import Problem

    before = Problem.objects.count()
    admin_client.raise_request_exception = True
    form = {"label": "Wet", "slug": "wet", "typical_price": "10", "position": "1", "active": "on"}
    response = admin_client.post("/admin/catalog/problem/add/", {**form, "_popup": "1", "_source_model": "x"})
    assert response.status_code == 400
    assert "as in catalog.problem" in response.content.decode()
    assert Problem.objects.count() == before


@pytest.mark.parametrize("permission", ["9" * 20, "²", "-9" + "9" * 19])
def test_a_multiple_choice_of_an_id_the_database_cant_hold_is_refused_beside_the_field(
    admin_client: Client, permission: str
) -> None:
    # Django (6.1) guards exact lookups against integers SQLite can't hold, not the __in its multiple
    # choice runs: 20 nines were an OverflowError (a 500) on SQLite
    from django.contrib.auth.models import Group

    admin_client.raise_request_exception = True
    response = admin_client.post("/admin/auth/group/add/", {"name": "Night", "permissions": permission})
    assert response.status_code == 200  # the form again
    assert "is not a valid value" in unescape(response.content.decode())
    assert not Group.objects.filter(name="Night").exists()


def test_an_autocomplete_member_that_isnt_an_id_is_drawn_again_refused(admin_client: Client) -> None:
    # Django's (6.1) autocomplete looked up what was posted when drawing the refused form (ValueError)
    from touchpoint.staff.models import Team

    team = Team.objects.create(slug="bench", name="Bench")
    inline = {
        "StaffUser_teams-TOTAL_FORMS": "1",
        "StaffUser_teams-INITIAL_FORMS": "0",
        "StaffUser_teams-0-staffuser": "²",
        "StaffUser_teams-0-team": str(team.pk),
    }
    admin_client.raise_request_exception = True
    response = admin_client.post(f"/admin/staff/team/{team.pk}/change/", {"slug": "bench", "name": "Bench", **inline})
    assert response.status_code == 200  # the form again, saying the member isn't one
    assert "Select a valid choice" in unescape(response.content.decode())
    assert not team.members.exists()
