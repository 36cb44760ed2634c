"""Reporting a wrong or broken delivery (``/report/``): one form opens an order-problem case with
exactly the journey's intake data, keeps the customer's words and photos on it, acknowledges it at
once, and lands on the new case's page. A form that can't be taken says why beside the field,
keeps what was typed, and writes nothing."""

from __future__ import annotations

import io
import re
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from tests.support.factories import CustomerFactory
from touchpoint.cases.models import Case, TimelineEntry
from touchpoint.core.models import RateWindow
from touchpoint.core.ratelimit import ratelimit_hit
from touchpoint.customers.models import Customer
from touchpoint.inbox.models import InboundAttachment, InboundMessage
from touchpoint.links.services import link_resolve
from touchpoint.outbox.models import OutboxMessage
from touchpoint.portal.views.report import REPORT_LIMIT

pytestmark = pytest.mark.django_db

URL = "/report/"
GOOD = {
    "order_number": "100234",
    "what_happened": "wrong_item",
    "order_total": "24.99",
    "words": "I ordered the blue charger and got a red cable.",
    "name": "Maya Okafor",
    "email": "Maya@Example.com",
    "phone": "07700 900123",
    "channel": "email",
}


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


def png(name: str = "parcel.png") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (30, 20), (200, 40, 40)).save(out, "PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def start(client: Client) -> str:
    html = client.get(URL).content.decode()
    found = re.search(r'name="nonce" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def error_beside(html: str, name: str) -> str:
    found = re.search(rf'<p class="error" id="err-{name}">(.*?)</p>', html, re.S)
    assert found is not None, name
    return unescape(found.group(1))


def written() -> tuple[int, int, int, int]:
    return (
        Case.objects.count(),
        Customer.objects.count(),
        InboundMessage.objects.count(),
        OutboxMessage.objects.count(),
    )


def test_the_form_asks_everything_once_with_labels(client: Client) -> None:
    response = client.get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Report a problem with a delivery</h1>" in html
    for field, label in [
        ("order_number", "Order number"),
        ("order_total", "What you paid for the order"),
        ("words", "Tell us about it"),
        ("photos", "Photos"),
        ("name", "Your name"),
        ("email", "Email address"),
        ("phone", "Mobile number"),
    ]:
        assert f'<label for="id_{field}">{label}' in html
    assert "<span>The wrong item arrived</span>" in html and "<span>It arrived damaged</span>" in html
    assert 'enctype="multipart/form-data"' in html
    assert "wrong_item" not in re.sub(r'value="[^"]*"|name="[^"]*"|id="[^"]*"|for="[^"]*"', "", html)


def test_a_report_opens_an_order_problem_case_with_exactly_the_intake_data(client: Client) -> None:
    post = {**GOOD, "nonce": start(client), "photos": [png()]}

    response = client.post(URL, post)

    assert response.status_code == 303
    token = re.fullmatch(r"/c/([^/]+)/", response["Location"])
    assert token is not None
    resolved = link_resolve(token.group(1))
    assert resolved.link is not None
    case = Case.objects.select_related("journey", "customer").get(pk=resolved.link.case_id)
    assert (case.journey.name, case.state, case.owner) == ("order-problem", "reported", "team:care")
    assert case.data == {
        "order_number": "100234",
        "what_happened": "wrong_item",
        "problem_notes": "I ordered the blue charger and got a red cable.",
        "order_total": 24.99,
        "return_needed": True,
    }
    customer = case.customer
    assert (customer.name, customer.email, customer.phone, customer.preferred_channel) == (
        "Maya Okafor",
        "maya@example.com",
        "+447700900123",  # in E.164
        "email",
    )
    assert list(OutboxMessage.objects.filter(case=case).values_list("touchpoint", "recipient")) == [
        ("report_received", "maya@example.com")
    ]
    message = InboundMessage.objects.get(case=case)
    assert (message.source, message.text) == ("portal", "I ordered the blue charger and got a red cable.")
    assert list(InboundAttachment.objects.filter(message=message).values_list("filename", "content_type")) == [
        ("parcel.png", "image/png")
    ]
    entry = TimelineEntry.objects.get(case=case, event="opened")
    assert entry.actor_kind == "customer"
    # It lands on the new case's page
    page = client.get(response["Location"])
    html = unescape(page.content.decode())
    assert page.status_code == 200
    assert "<h1>We've got your report</h1>" in html
    assert "Wrong or broken delivery" in html and case.reference in html


def test_a_damaged_item_is_kept_not_sent_back_and_words_and_photos_may_be_left_out(client: Client) -> None:
    post = {**GOOD, "what_happened": "damaged", "words": "", "nonce": start(client)}
    assert client.post(URL, post).status_code == 303
    case = Case.objects.get()
    assert (case.data["what_happened"], case.data["return_needed"], case.data["problem_notes"]) == (
        "damaged",
        False,
        "",
    )
    assert InboundMessage.objects.count() == 0


def test_sending_the_form_twice_opens_one_case(client: Client) -> None:
    post = {**GOOD, "nonce": start(client)}
    first = client.post(URL, post)
    second = client.post(URL, post)
    assert (first.status_code, second.status_code) == (303, 303)
    assert first["Location"] == second["Location"]
    assert Case.objects.count() == 1
    assert OutboxMessage.objects.filter(touchpoint="report_received").count() == 1


def test_a_report_never_overwrites_a_known_customer(client: Client) -> None:
    CustomerFactory(name="Maya O. (VIP)", email="maya@example.com", phone="0113 496 0000", preferred_channel="sms")
    post = {**GOOD, "name": "Someone Else", "phone": "07700 900999", "nonce": start(client)}

    assert client.post(URL, post).status_code == 303

    customer = Customer.objects.get()
    assert (customer.name, customer.phone, customer.preferred_channel) == ("Maya O. (VIP)", "0113 496 0000", "sms")
    assert Case.objects.get().customer == customer


BAD = [
    pytest.param({"order_number": ""}, "order_number", "Enter the order number from your confirmation email."),
    pytest.param(
        {"order_number": "<script>"},
        "order_number",
        "Enter the order number from your confirmation email, e.g. 100234 (letters and digits).",
    ),
    pytest.param(
        {"what_happened": ""}, "what_happened", "Choose what happened: the wrong item, or it arrived damaged."
    ),
    pytest.param(
        {"what_happened": "lost"}, "what_happened", "Choose what happened: the wrong item, or it arrived damaged."
    ),
    pytest.param(
        {"order_total": ""},
        "order_total",
        "Enter what you paid for the order, as on your confirmation: if we refund, it's this.",
    ),
    pytest.param({"order_total": "24.999"}, "order_total", "Use at most two decimals, like 24.99."),
    pytest.param({"order_total": "lots"}, "order_total", "Enter an amount like 24.99."),
    pytest.param({"order_total": "-5"}, "order_total", "The amount can't be below 0."),
    pytest.param(
        {"order_total": "9" * 400},
        "order_total",
        "That's more than we can take online: write to us and a person will help.",
    ),
    pytest.param({"words": "x" * 2001}, "words", "Please keep it under 2,000 characters (it's 2001 now)."),
    pytest.param({"name": ""}, "name", "Tell us your name, so we know whose order it is."),
    pytest.param({"email": "maya@"}, "email", "Enter an email address like name@example.com."),
    pytest.param(
        {"channel": "sms", "phone": ""},
        "phone",
        "Give us a mobile number for the text messages, or choose email instead.",
    ),
]


@pytest.mark.parametrize(("change", "field", "said"), BAD)
def test_a_bad_answer_is_said_beside_its_field_and_nothing_is_written(
    client: Client, change: dict[str, str], field: str, said: str
) -> None:
    post = {**GOOD, **change, "nonce": start(client)}

    response = client.post(URL, post)

    html = response.content.decode()
    assert response.status_code == 422
    assert error_beside(html, field) == said
    assert "Nothing was sent yet, and everything you typed is still here." in unescape(html)
    for name in ("name", "order_number"):
        if name not in change:
            assert f'value="{GOOD[name]}"' in html
    assert written() == (0, 0, 0, 0)


def test_a_photo_that_is_not_a_photo_or_too_many_is_refused_and_nothing_kept(
    client: Client, settings: Any, media: Path
) -> None:
    nonce = start(client)
    fake = SimpleUploadedFile("receipt.png", b"%PDF-1.4 not a picture", content_type="image/png")

    response = client.post(URL, {**GOOD, "nonce": nonce, "photos": [png(), fake]})

    html = unescape(response.content.decode())
    assert response.status_code == 422
    assert "“receipt.png” isn't a JPEG, PNG or WebP photo." in html
    assert "Choose the photos again: browsers can't keep them." in html
    assert ">I ordered the blue charger and got a red cable.</textarea>" in html
    assert written() == (0, 0, 0, 0)
    assert not media.exists() or not any(media.rglob("*.*"))

    many = [png(f"p{n}.png") for n in range(settings.TOUCHPOINT_PHOTOS_PER_MESSAGE + 1)]
    response = client.post(URL, {**GOOD, "nonce": nonce, "photos": many})
    assert response.status_code == 422
    assert f"You chose {len(many)} photos; up to {settings.TOUCHPOINT_PHOTOS_PER_MESSAGE} fit" in unescape(
        response.content.decode()
    )
    assert written() == (0, 0, 0, 0)


def test_an_oversized_photo_is_refused_by_its_size_before_it_is_read(client: Client, settings: Any) -> None:
    settings.TOUCHPOINT_PHOTO_MAX_BYTES = 10
    response = client.post(URL, {**GOOD, "nonce": start(client), "photos": [png("huge.png")]})
    assert response.status_code == 422
    assert "“huge.png” is 0.0 MB; each photo can be up to 0.0 MB." in unescape(response.content.decode())
    assert written() == (0, 0, 0, 0)


def test_reports_are_rate_limited_and_what_was_typed_is_kept(client: Client) -> None:
    nonce = start(client)
    for _ in range(REPORT_LIMIT.count):
        assert ratelimit_hit(scope="portal.report", key="127.0.0.1", limit=REPORT_LIMIT)

    response = client.post(URL, {**GOOD, "nonce": nonce})

    html = unescape(response.content.decode())
    assert response.status_code == 429
    assert "Please wait a few minutes" in html and 'value="100234"' in html
    assert written() == (0, 0, 0, 0)


def test_a_reload_keeps_what_was_typed_and_the_same_form(client: Client) -> None:
    nonce = start(client)
    client.post(URL, {**GOOD, "email": "maya@", "nonce": nonce})
    again = client.get(URL).content.decode()
    assert 'value="100234"' in again and 'value="maya@"' in again
    assert f'value="{nonce}"' in again


def test_the_portal_links_to_the_report_form(client: Client) -> None:
    assert 'href="/report/"' in client.get("/repair/").content.decode()
    assert 'href="/report/"' in client.post("/link/", {"email": "nobody@example.com"}).content.decode()
    assert 'href="/report/"' in client.get("/c/not-a-real-token-at-all/").content.decode()


def test_drawing_the_report_page_writes_nothing_and_keeps_its_key_across_reloads(client: Client) -> None:
    nonce = start(client)

    assert start(client) == nonce
    assert client.cookies["tp_report"].value == nonce
    assert (Session.objects.count(), RateWindow.objects.count()) == (0, 0)
    placed = client.post(URL, {**GOOD, "nonce": nonce})
    assert placed.status_code == 303 and placed.cookies["tp_report"].value == ""
    assert start(client) != nonce
