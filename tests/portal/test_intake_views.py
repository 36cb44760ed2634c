"""The order page (portal:intake): errors beside their fields, nothing typed lost on an error, a
reload or a rate limit, one case per form however often it is sent."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from tests.portal.test_intake_service import shop  # noqa: F401 - the fixture
from touchpoint.cases.models import Case
from touchpoint.core.models import RateWindow
from touchpoint.core.ratelimit import ratelimit_hit
from touchpoint.customers.models import Customer
from touchpoint.links.services import link_resolve
from touchpoint.portal.views.intake import ORDER_LIMIT

pytestmark = pytest.mark.usefixtures("shop")

URL = "/repair/"
CHECK = "/repair/check/"
GOOD = {
    "model": "slate-tab-air-10",
    "problem": "screen",
    "description": "Dropped it on the stairs.",
    "name": "Tom Riley",
    "email": "tom@example.com",
    "phone": "",
    "address_line1": "3 Station Road",
    "address_line2": "",
    "town": "York",
    "postcode": "YO1 7HH",
    "country": "GB",
    "shipping": "post",
    "channel": "email",
}


def nonce_of(html: str) -> str:
    found = re.search(r'name="nonce" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def start(client: Client) -> str:
    return nonce_of(client.get(URL).content.decode())


def field_html(html: str, name: str) -> str:
    """The <input> (or the first radio) named ``name``, as rendered."""
    found = re.search(rf'<(?:input|select|textarea)[^>]*name="{name}"[^>]*>', html)
    assert found is not None, name
    return found.group(0)


def error_beside(html: str, name: str) -> str:
    found = re.search(rf'<p class="error" id="err-{name}" data-field="{name}"[^>]*>(.*?)</p>', html, re.S)
    assert found is not None, name
    return found.group(1)


def test_the_order_page_lists_active_models_with_prices_and_every_problem_plus_not_sure(client: Client) -> None:
    response = client.get(URL)
    html = response.content.decode()

    assert response.status_code == 200
    assert reverse("portal:intake") == URL
    assert re.findall(r'name="model" value="([^"]+)"', html) == ["nano-player-4g", "slate-tab-air-10"]
    assert 'Slate Tab Air 10 <span class="price">diagnosis £49.00</span>' in html
    assert re.findall(r'name="problem" value="([^"]+)"', html) == ["battery", "screen", "not_sure"]
    assert re.findall(r'name="shipping" value="([^"]+)"', html) == ["box", "post"]
    assert "content='{\"includeIndicatorStyles\":false}'" in html
    assert " style=" not in html and "<style" not in html and " onclick" not in html


def test_searching_with_q_narrows_the_list_server_side(client: Client) -> None:
    html = client.get(URL, {"q": "tab air"}).content.decode()

    assert re.findall(r'name="model" value="([^"]+)"', html) == ["slate-tab-air-10"]
    assert "1 model match “tab air”." in html


def test_a_refused_submit_shows_each_error_beside_its_field_and_keeps_what_was_typed(client: Client) -> None:
    nonce = start(client)
    sent = {**GOOD, "nonce": nonce, "email": "tom@", "postcode": "NOPE", "problem": ""}

    response = client.post(URL, sent)
    html = response.content.decode()

    assert response.status_code == 422
    assert error_beside(html, "email") == "Enter an email address like name@example.com."
    assert error_beside(html, "postcode") == "That doesn&#x27;t look like a UK postcode: it should look like LS1 4AB."
    assert error_beside(html, "problem") == (
        "Pick what&#x27;s wrong, or “Not sure what&#x27;s wrong”: the bench finds out."
    )
    assert error_beside(html, "name") == ""
    email = field_html(html, "email")
    assert 'aria-invalid="true"' in email and 'aria-describedby="hint-email err-email"' in email
    assert 'value="tom@"' in email
    assert "aria-invalid" not in field_html(html, "name") and 'value="Tom Riley"' in field_html(html, "name")
    assert 'value="slate-tab-air-10" id="id_model_1" data-name="Slate Tab Air 10" data-price="49.00" checked' in html
    assert "Dropped it on the stairs.</textarea>" in html
    assert 'href="#id_email">Email address</a>' in html  # the summary links to the field
    assert Case.objects.count() == 0 and Customer.objects.count() == 0


def test_a_reload_after_a_refused_submit_brings_back_what_was_typed(client: Client) -> None:
    nonce = start(client)
    client.post(URL, {**GOOD, "nonce": nonce, "email": "tom@", "plain_messages": "on"})

    html = client.get(URL).content.decode()

    assert 'value="tom@"' in field_html(html, "email")
    assert 'value="3 Station Road"' in field_html(html, "address_line1")
    assert nonce_of(html) == nonce  # the same form: sending it twice still orders once
    assert re.search(r'id="id_plain_messages" checked', html)
    assert 'value="slate-tab-air-10" id="id_model_1" data-name="Slate Tab Air 10" data-price="49.00" checked' in html
    assert "Diagnosis for the Slate Tab Air 10: <strong>£49.00</strong>" in html
    assert error_beside(html, "email") == ""  # restored, not scolded again


def test_a_field_check_answers_with_that_fields_error_and_saves_the_draft(client: Client) -> None:
    start(client)

    htmx = {"HX-Request": "true", "HX-Trigger-Name": "email"}
    bad = client.post(CHECK, {"email": "tom@", "name": "Tom"}, headers=htmx)
    fine = client.post(CHECK, {"email": "tom@example.com"}, headers=htmx)
    unknown = client.post(CHECK, {"email": "x"}, headers={**htmx, "HX-Trigger-Name": "is_staff"})

    assert bad.status_code == 200
    assert bad.content.decode().strip() == (
        '<p class="error" id="err-email" data-field="email">Enter an email address like name@example.com.</p>'
    )
    assert fine.content.decode().strip() == '<p class="error" id="err-email" data-field="email"></p>'
    assert unknown.status_code == 400
    assert 'value="tom@example.com"' in field_html(client.get(URL).content.decode(), "email")


def test_choosing_texts_without_a_phone_flags_the_phone_field_too(client: Client) -> None:
    response = client.post(
        CHECK, {"channel": "sms", "phone": ""}, headers={"HX-Request": "true", "HX-Trigger-Name": "channel"}
    )

    assert response.content.decode().split("\n")[:2] == [
        '<p class="error" id="err-channel" data-field="channel"></p>',
        '<p class="error" id="err-phone" data-field="phone" hx-swap-oob="true">'
        "Give us a mobile number for the text messages, or choose email instead.</p>",
    ]


def test_placing_the_order_lands_on_the_cases_page_and_clears_the_draft(client: Client) -> None:
    nonce = start(client)

    response = client.post(URL, {**GOOD, "nonce": nonce})

    case = Case.objects.get()
    assert response.status_code == 303
    token = response["Location"].split("/")[-2]
    assert response["Location"] == f"/c/{token}/"
    resolved = link_resolve(token)
    assert resolved.link is not None and resolved.link.case == case
    assert (case.data["model"], case.data["problem"], case.data["prepaid_box"]) == ("slate-tab-air-10", "screen", False)
    fresh = client.get(URL).content.decode()
    assert 'value=""' in field_html(fresh, "email") and nonce_of(fresh) != nonce


def test_drawing_the_order_page_writes_nothing_and_keeps_its_key_across_reloads(client: Client) -> None:
    first = client.get(URL)
    again = client.get(URL)

    nonce = nonce_of(first.content.decode())
    assert nonce_of(again.content.decode()) == nonce
    kept = first.cookies["tp_order"]
    assert (kept.value, kept["path"], kept["httponly"], kept["samesite"]) == (nonce, URL, True, "Lax")
    assert "tp_order" not in again.cookies  # already kept: nothing to set again
    assert (Session.objects.count(), RateWindow.objects.count()) == (0, 0)
    # The order placed, the next page is a new order's
    placed = client.post(URL, {**GOOD, "nonce": nonce})
    assert placed.status_code == 303 and placed.cookies["tp_order"].value == ""
    assert nonce_of(client.get(URL).content.decode()) != nonce


def test_a_key_a_browser_made_up_is_replaced_by_one_of_ours(client: Client) -> None:
    client.cookies["tp_order"] = "<script>"

    response = client.get(URL)

    nonce = nonce_of(response.content.decode())
    assert nonce != "<script>" and len(nonce) == 32 and response.cookies["tp_order"].value == nonce


def test_sending_the_same_form_twice_opens_one_case_and_lands_on_it_both_times(client: Client) -> None:
    nonce = start(client)

    first = client.post(URL, {**GOOD, "nonce": nonce})
    second = client.post(URL, {**GOOD, "nonce": nonce})

    assert (first.status_code, second.status_code) == (303, 303)
    assert first["Location"] == second["Location"]
    assert Case.objects.count() == 1


def test_over_the_order_limit_a_readable_429_keeps_everything_typed(client: Client) -> None:
    nonce = start(client)
    for _ in range(ORDER_LIMIT.count):  # the client's earlier orders this hour
        assert ratelimit_hit(scope="portal.intake.order", key="127.0.0.1", limit=ORDER_LIMIT)

    response = client.post(URL, {**GOOD, "nonce": nonce})
    html = response.content.decode()

    assert response.status_code == 429
    assert "Please wait a few minutes" in html and "Everything you typed is still here" in html
    assert 'value="tom@example.com"' in field_html(html, "email")
    assert 'value="YO1 7HH"' in field_html(html, "postcode")
    assert Case.objects.count() == 0
    assert 'value="tom@example.com"' in field_html(client.get(URL).content.decode(), "email")


def test_a_model_retired_while_the_page_was_open_is_refused_beside_the_device(client: Client) -> None:
    from touchpoint.catalog.models import DeviceModel

    nonce = start(client)
    DeviceModel.objects.filter(slug="slate-tab-air-10").update(active=False)

    response = client.post(URL, {**GOOD, "nonce": nonce})

    assert response.status_code == 422
    assert error_beside(response.content.decode(), "model") == (
        "Pick your device from the list: that one isn&#x27;t offered any more."
    )
    assert Case.objects.count() == 0


@pytest.mark.parametrize("method", ["put", "delete"])
def test_other_methods_are_not_allowed(client: Client, method: str) -> None:
    response: Any = getattr(client, method)(URL)
    assert response.status_code == 405


def test_the_order_page_costs_the_same_few_queries_however_big_the_catalog(
    client: Client, django_assert_num_queries: Any
) -> None:
    from touchpoint.catalog.models import DeviceModel

    client.get(URL)  # the page's key is kept from here on, as for a customer reloading
    DeviceModel.objects.bulk_create(DeviceModel(slug=f"model-{n}", name=f"Model {n}", kind="phone") for n in range(40))

    # the models, the problems, the service levels (none): no session to read, nothing written
    with django_assert_num_queries(3):
        response = client.get(URL)

    assert response.status_code == 200
    assert response.content.decode().count('name="model"') == 42
