"""``shop_settings()`` is kept in the process's memory, and never read stale after an edit commits.

These tests commit (``transaction=True``), as a running site does: a copy is kept only outside a
transaction."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.shop.given import SHOP, lead_client, shop_form
from touchpoint.shop import selectors
from touchpoint.shop.models import ShopSettings
from touchpoint.shop.selectors import shop_settings

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_second_read_asks_the_database_nothing() -> None:
    assert shop_settings().name == "The Repair Shop"
    with CaptureQueriesContext(connection) as queries:
        assert shop_settings().name == "The Repair Shop"
    assert len(queries) == 0


def test_an_edit_through_the_page_is_read_at_once_in_this_process() -> None:
    shop_settings()  # kept
    client = lead_client()
    assert client.post(SHOP, shop_form(client, name="Fixit Bristol")).status_code == 302
    assert shop_settings().name == "Fixit Bristol"
    assert "Fixit Bristol" in client.get(SHOP).content.decode()


def test_another_processs_edit_is_seen_once_the_copy_is_rechecked(monkeypatch: pytest.MonkeyPatch) -> None:
    shop_settings()
    # Another process's save: the row and its stamp change behind this process's back.
    ShopSettings.objects.filter(pk=1).update(name="Elsewhere", stamp="f" * 32)
    assert shop_settings().name == "The Repair Shop"  # within RECHECK_SECONDS: the kept copy
    monkeypatch.setattr(selectors, "RECHECK_SECONDS", 0.0)
    assert shop_settings().name == "Elsewhere"
    # Rechecked and unchanged: one small query for the stamp, not the row.
    with CaptureQueriesContext(connection) as queries:
        assert shop_settings().name == "Elsewhere"
    assert len(queries) == 1 and "stamp" in queries[0]["sql"]
