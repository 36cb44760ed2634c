"""The inbound-text and status webhooks refuse what isn't Twilio's, saying why, and store nothing:
unsigned, forged, signed with another token or over another URL, malformed, too large. Behind a
proxy the URL Twilio signed is the shop's public one, which is checked first."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client

from tests.sms.customers import MOBILE, order_with_phone
from tests.sms.twilio_posts import (
    INBOUND_PATH,
    STATUS_PATH,
    new_sid,
    receipt,
    signature,
    text_from,
    twilio_account,  # noqa: F401
    twilio_post,
)
from touchpoint.cases.models import Task, TimelineEntry
from touchpoint.inbox.models import InboundMessage

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("twilio_account")]


def inbound_fields(body: str = "Hello") -> dict[str, str]:
    sid = new_sid()
    return {"MessageSid": sid, "SmsSid": sid, "From": MOBILE, "To": "+447700900000", "Body": body, "NumMedia": "0"}


def nothing_stored() -> bool:
    return not InboundMessage.objects.exists() and not Task.objects.exists()


@pytest.mark.parametrize("path", [INBOUND_PATH, STATUS_PATH])
def test_an_unsigned_post_is_refused(path: str) -> None:
    response = Client().post(path, data=urlencode(inbound_fields()), content_type="application/x-www-form-urlencoded")
    assert response.status_code == 401
    assert response.json() == {
        "error": "missing X-Twilio-Signature: Twilio signs every webhook with the account's auth token"
    }
    assert nothing_stored()


def test_a_text_signed_with_another_token_is_refused_and_nothing_is_stored() -> None:
    response = twilio_post(INBOUND_PATH, inbound_fields(), token="not-our-token")
    assert response.status_code == 401
    assert "the X-Twilio-Signature does not match" in response.json()["error"]
    assert nothing_stored()


def test_a_signature_over_other_fields_is_refused() -> None:
    fields = inbound_fields("STOP")
    forged = signature(INBOUND_PATH, {**fields, "Body": "Hello"})
    assert twilio_post(INBOUND_PATH, fields, signed=forged).status_code == 401
    assert nothing_stored()


def test_a_signature_for_the_other_endpoint_is_refused() -> None:
    fields = inbound_fields()
    response = twilio_post(INBOUND_PATH, fields, signed=signature(STATUS_PATH, fields))
    assert response.status_code == 401
    assert nothing_stored()


def test_behind_a_proxy_the_public_address_twilio_called_is_what_is_signed(settings: Any) -> None:
    settings.TOUCHPOINT_PUBLIC_URL = "https://repairs.example.com"
    case = order_with_phone()
    fields = inbound_fields("On my way")
    signed = signature(INBOUND_PATH, fields, url=f"https://repairs.example.com{INBOUND_PATH}")
    response = twilio_post(INBOUND_PATH, fields, signed=signed)
    assert response.status_code == 200
    assert response["X-Touchpoint-Case"] == case.reference


def test_without_a_proxy_the_address_the_request_came_to_is_signed_too(settings: Any) -> None:
    settings.TOUCHPOINT_PUBLIC_URL = "https://repairs.example.com"
    fields = inbound_fields()
    signed = signature(INBOUND_PATH, fields, url=f"http://testserver{INBOUND_PATH}")
    assert twilio_post(INBOUND_PATH, fields, signed=signed).status_code == 200


@pytest.mark.parametrize(
    ("change", "said"),
    [
        ({"MessageSid": "", "SmsSid": ""}, "MessageSid and From are required"),
        ({"MessageSid": "SM<script>", "SmsSid": ""}, "MessageSid and From are required"),
        ({"From": ""}, "MessageSid and From are required"),
        ({"NumMedia": "lots"}, "NumMedia is not a number"),
    ],
)
def test_a_malformed_text_is_refused_with_the_reason(change: dict[str, str], said: str) -> None:
    fields = {**inbound_fields(), **change}
    response = twilio_post(INBOUND_PATH, fields)
    assert response.status_code == 400
    assert said in response.json()["error"]
    assert nothing_stored()


@pytest.mark.parametrize(
    ("fields", "said"),
    [
        ({"MessageStatus": "delivered"}, "MessageSid and MessageStatus are required"),
        ({"MessageSid": "SM" + "0" * 32}, "MessageSid and MessageStatus are required"),
        ({"MessageSid": "SM" + "0" * 32, "MessageStatus": "de;livered"}, "is not a delivery status"),
    ],
)
def test_a_malformed_receipt_is_refused_with_the_reason(fields: dict[str, str], said: str) -> None:
    response = twilio_post(STATUS_PATH, fields)
    assert response.status_code == 400
    assert said in response.json()["error"]


def test_a_receipt_with_a_status_we_dont_know_is_taken_and_changes_nothing() -> None:
    response = receipt("SM" + "1" * 32, "partially_delivered")
    assert response.status_code == 200
    assert response.json()["outcome"] == "ignored"


def test_json_or_an_oversized_body_is_refused() -> None:
    fields = inbound_fields()
    as_json = Client().post(
        INBOUND_PATH, data=fields, content_type="application/json", headers={"X-Twilio-Signature": "x"}
    )
    assert as_json.status_code == 415
    huge = {**fields, "Body": "x" * 70_000}
    assert twilio_post(INBOUND_PATH, huge).status_code == 413
    assert nothing_stored()


def test_not_configured_says_which_setting_to_set(settings: Any) -> None:
    settings.TWILIO_AUTH_TOKEN = ""
    response = twilio_post(INBOUND_PATH, inbound_fields(), signed="x")
    assert response.status_code == 503
    assert response.json() == {"error": "Twilio is not configured here: set TWILIO_AUTH_TOKEN (docs/sms.md)"}


def test_pictures_sent_by_text_are_noted_not_fetched() -> None:
    case = order_with_phone()
    response = text_from(MOBILE, "Here's the crack", NumMedia="2", MediaContentType0="image/jpeg", MediaUrl0="x")
    assert response.status_code == 200
    message = InboundMessage.objects.get()
    assert [r["content_type"] for r in message.rejected] == ["image/jpeg", "application/octet-stream"]
    assert message.case == case
    assert TimelineEntry.objects.filter(case=case, event="customer_message").exists()


def test_a_null_character_in_a_text_is_kept_out_of_the_database() -> None:
    order_with_phone()
    assert text_from(MOBILE, "broken\x00screen").status_code == 200
    assert InboundMessage.objects.get().text == "brokenscreen"
