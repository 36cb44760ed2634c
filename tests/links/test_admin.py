"""The admin's actions on customer links: revoke the chosen ones; replace a case's links by email."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.support.factories import StaffFactory
from tests.support.orders import place_repair_order
from touchpoint.cases.journeys import journey_register
from touchpoint.customers.models import Customer
from touchpoint.journeys.library import library_file
from touchpoint.links.models import CaseLink
from touchpoint.links.services import link_issue, link_resolve
from touchpoint.links.tokens import token_hash
from touchpoint.outbox.models import OutboxMessage

CHANGELIST = "/admin/links/caselink/"


@pytest.fixture
def admin_client(client: Client, db: Any) -> Client:
    client.force_login(StaffFactory(username="ada", role="admin", is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def repair(db: Any) -> None:
    path = library_file("mail-in-repair")
    assert path is not None
    journey_register(source=path.read_text(), filename=str(path))


def test_revoke_these_links_revokes_only_the_chosen_ones(
    admin_client: Client, repair: None, customer: Customer
) -> None:
    case = place_repair_order(customer)
    chosen, kept = link_issue(case=case), link_issue(case=case)
    pk = CaseLink.objects.get(token_hash=token_hash(chosen)).pk

    response = admin_client.post(CHANGELIST, {"action": "revoke", "_selected_action": [pk]}, follow=True)

    assert response.status_code == 200
    assert "1 link revoked." in response.content.decode()
    assert link_resolve(chosen).problem == "revoked"
    assert link_resolve(kept).link is not None
    assert CaseLink.objects.get(pk=pk).revoked_reason == "revoked by ada"


def test_revoke_and_email_a_fresh_link(admin_client: Client, repair: None, customer: Customer) -> None:
    case = place_repair_order(customer)
    old = link_issue(case=case)
    pk = CaseLink.objects.get(token_hash=token_hash(old)).pk

    admin_client.post(CHANGELIST, {"action": "revoke_and_send_new", "_selected_action": [pk]})

    assert link_resolve(old).problem == "revoked"
    message = OutboxMessage.objects.get(touchpoint="")
    token = next(line for line in message.body_text.splitlines() if "/c/" in line).rsplit("/", 2)[-2]
    resolved = link_resolve(token)
    assert resolved.link is not None and resolved.link.case == case
    assert CaseLink.objects.filter(case=case, revoked_at__isnull=True).count() == 1


def test_the_catalog_admin_lists_models_and_problems_with_editable_price_and_active(
    admin_client: Client, db: Any
) -> None:
    from touchpoint.catalog.models import DeviceModel, Problem

    DeviceModel.objects.create(slug="nano-player-4g", name="Nano Player 4G", kind="music_player")
    Problem.objects.create(slug="battery", label="Battery runs down fast")

    models = admin_client.get("/admin/catalog/devicemodel/", {"q": "nano"}).content.decode()
    problems = admin_client.get("/admin/catalog/problem/").content.decode()

    assert 'name="form-0-diagnosis_price"' in models and 'name="form-0-active"' in models
    assert "Nano Player 4G" in models
    assert 'name="form-0-typical_price"' in problems and 'name="form-0-active"' in problems
