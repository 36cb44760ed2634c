"""What every message says about the shop (its name, colour, persona) is kept in the process's memory
between messages, and never said stale after a lead changes it in the console: the next message
speaks the new way.

These tests commit (``transaction=True``), as a running site does: a copy is kept only once a change
has committed."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.portal.test_intake_service import shop  # noqa: F401 - the fixture
from tests.portal.test_intake_views import GOOD, URL, start
from tests.shop.given import SHOP, lead_client, shop_form
from tests.shop.test_persona_pages import NORM, persona_form
from touchpoint.outbox.models import OutboxMessage
from touchpoint.shop import selectors
from touchpoint.touchpoints import overrides
from touchpoint.touchpoints.models import PersonaOverride

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("shop")]


@pytest.fixture
def kept_long(monkeypatch: pytest.MonkeyPatch) -> None:
    """No copy is rechecked during the test (however slow the machine): only the save can refresh it."""
    monkeypatch.setattr(overrides, "RECHECK_SECONDS", 3600.0)
    monkeypatch.setattr(selectors, "RECHECK_SECONDS", 3600.0)


def order(n: int) -> OutboxMessage:
    """A new customer orders on the public page; the message the order wrote."""
    customer = Client()
    email = f"customer{n}@example.com"
    placed = customer.post(URL, {**GOOD, "email": email, "nonce": start(customer)})
    assert placed.status_code == 303
    return OutboxMessage.objects.get(recipient=email, touchpoint="order_received")


def override_reads(queries: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if "touchpoints_" in q["sql"]]


@pytest.mark.usefixtures("kept_long")
def test_the_persona_renamed_in_the_console_signs_the_next_message_though_the_last_one_was_kept() -> None:
    first = order(1)
    assert "Norm, your repair coordinator at the Repair Shop" in first.body_text
    # The next order's message reads no override: the persona and templates are the kept copy.
    with CaptureQueriesContext(connection) as queries:
        order(2)
    assert override_reads(queries) == []
    # When a lead renames the persona on its console page
    lead = lead_client()
    saved = lead.post(NORM, persona_form(lead, name="Kit", signature="Kit, at the Fixit desk"))
    assert saved.status_code == 302
    # Then the very next message signs with it, in both parts
    after = order(3)
    assert "Kit, at the Fixit desk" in after.body_text and "Kit, at the Fixit desk" in after.body_html
    assert "Norm, your repair coordinator" not in after.body_text
    # and a second edit (the row updated, not created) is seen as well
    again = lead.post(NORM, persona_form(lead, signature="Kit, back at the desk"))
    assert again.status_code == 302
    assert "Kit, back at the desk" in order(4).body_text


@pytest.mark.usefixtures("kept_long")
def test_the_shop_name_and_colour_set_in_the_console_are_the_next_messages() -> None:
    first = order(1)
    assert "The Repair Shop" in first.body_html and "#0b6e4f" not in first.body_html
    lead = lead_client()
    assert lead.post(SHOP, shop_form(lead, name="Fixit Leeds", brand_colour="#0b6e4f")).status_code == 302
    after = order(2)
    assert "Fixit Leeds" in after.body_html
    assert "background-color:#0b6e4f" in after.body_html.replace(" ", "")  # the strip and the button


def test_another_processs_persona_edit_is_seen_once_the_copy_is_rechecked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(overrides, "RECHECK_SECONDS", 3600.0)
    order(1)
    lead = lead_client()
    assert lead.post(NORM, persona_form(lead, signature="Kit, at the Fixit desk")).status_code == 302
    assert "Kit, at the Fixit desk" in order(2).body_text
    # Another process saves the persona: its row changes behind this process's back (no signal here).
    row = PersonaOverride.objects.get(key="norm")
    source = row.source.replace("Kit, at the Fixit desk", "Kit, from the other process")
    PersonaOverride.objects.filter(pk=row.pk).update(source=source, updated_at=row.updated_at.replace(year=2030))
    assert "Kit, at the Fixit desk" in order(3).body_text  # within RECHECK_SECONDS: the kept copy
    monkeypatch.setattr(overrides, "RECHECK_SECONDS", 0.0)
    assert "Kit, from the other process" in order(4).body_text
