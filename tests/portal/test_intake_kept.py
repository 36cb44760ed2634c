"""The order form's questions are drawn once for every first visit and kept (portal/views/intake.py:
``_fields_key``), and a kept copy never shows what the shop no longer offers: a lead's change to the
catalog or the postage on the console shows on the next first visit; a visitor who typed something
sees their own answers, never a first visit's page."""

from __future__ import annotations

from html import unescape

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from tests.shop.given import lead_client

pytestmark = pytest.mark.django_db


def order_page(visitor: Client, query: str = "") -> str:
    response = visitor.get(f"/repair/{query}")
    assert response.status_code == 200, response.status_code
    return unescape(response.content.decode())


def questions(html: str) -> str:
    """The form's questions: what follows its one-time key, to the form's end (its CSRF token, its
    one-time key and the page's script nonce are every visit's own)."""
    return html.split('name="nonce"')[1].split(">", 1)[1].split("</form>")[0]


def test_a_first_visit_shows_the_catalog_as_it_is_now(django_assert_num_queries: DjangoAssertNumQueries) -> None:
    lead = lead_client()
    model = {"slug": "nano-4g", "name": "Nano Player 4G", "kind": "music_player", "diagnosis_price": "29.00",
             "active": "on"}  # fmt: skip
    lead.post(reverse("console:shop_item_new", args=["models"]), model)
    first = order_page(Client())
    assert "Nano Player 4G" in first and "diagnosis £29.00" in first
    # the next first visit (another visitor: another one-time key) is the same page, its questions
    # kept, not drawn again: the catalog's reads only
    with django_assert_num_queries(3):
        response = Client().get("/repair/")
    assert "portal/intake/_fields.html" not in [template.name for template in response.templates]
    again = unescape(response.content.decode())
    assert questions(again) == questions(first)
    assert again.split('name="nonce" value="')[1][:20] != first.split('name="nonce" value="')[1][:20]

    lead.post(reverse("console:shop_item", args=["models", "nano-4g"]), {**model, "diagnosis_price": "35"})
    assert "diagnosis £35.00" in order_page(Client())
    lead.post(
        reverse("console:shop_item_new", args=["problems"]),
        {"slug": "screen", "label": "Cracked screen", "typical_price": "89", "position": "0", "active": "on"},
    )
    assert "Cracked screen" in order_page(Client())
    lead.post(reverse("console:shop_item", args=["models", "nano-4g"]), {**model, "active": ""})
    html = order_page(Client())
    assert "Nano Player 4G" not in html
    assert "No model matches “nano”." in order_page(Client(), "?q=nano")


def test_a_visitor_who_typed_sees_their_own_answers() -> None:
    lead = lead_client()
    lead.post(
        reverse("console:shop_item_new", args=["models"]),
        {
            "slug": "nano-4g",
            "name": "Nano Player 4G",
            "kind": "music_player",
            "diagnosis_price": "29.00",
            "active": "on",
        },
    )
    order_page(Client())  # a first visit's questions are kept
    visitor = Client()
    order_page(visitor)
    checked = visitor.post(
        reverse("portal:intake_check"), {"field": "name", "name": "Ann Lee", "model": "nano-4g"}, HTTP_HX_REQUEST="true"
    )
    assert checked.status_code == 200
    html = order_page(visitor)  # a reload brings back what was typed
    assert 'value="Ann Lee"' in html
    assert 'value="nano-4g" id="id_model_0"' in html and "Diagnosis for the Nano Player 4G" in html
    assert 'value="Ann Lee"' not in order_page(Client())
