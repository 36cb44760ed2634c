"""POST /hooks/email: raw MIME, signed with HMAC-SHA256 over timestamp + "." + body."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tests.inbox.mails import mail
from touchpoint.api.signing import signature_for
from touchpoint.cases.models import Case
from touchpoint.inbox.models import InboundMessage

pytestmark = pytest.mark.django_db
SECRET = "whsec-test-0123456789"


@pytest.fixture(autouse=True)
def secret(settings: Any) -> None:
    settings.TOUCHPOINT_INBOUND_WEBHOOK_SECRET = SECRET


def post(
    body: bytes,
    *,
    timestamp: int | None = None,
    signature: str | None = None,
    content_type: str = "message/rfc822",
    headers: dict[str, str] | None = None,
) -> Any:
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    signed = signature if signature is not None else signature_for(secret=SECRET, timestamp=stamp, body=body)
    all_headers = {"X-Touchpoint-Timestamp": stamp, "X-Touchpoint-Signature": signed, **(headers or {})}
    return Client().post("/hooks/email", data=body, content_type=content_type, headers=all_headers)


def test_a_signed_message_is_received(paid_case: Case) -> None:
    raw = mail(to=f"reply+{paid_case.reply_token}@touchpoint.localhost")
    response = post(raw)
    message = InboundMessage.objects.get()
    assert response.status_code == 200
    assert response.json() == {
        "id": message.pk,
        "duplicate": False,
        "kind": "reply",
        "case": paid_case.reference,
        "matched_by": "token",
    }
    assert (message.source, bytes(message.raw)) == ("webhook", raw)


def test_the_same_message_posted_twice_is_stored_once(paid_case: Case) -> None:
    raw = mail(subject=paid_case.reference)
    first, second = post(raw), post(raw)
    assert (first.status_code, second.status_code) == (200, 200)
    assert (first.json()["duplicate"], second.json()["duplicate"]) == (False, True)
    assert first.json()["id"] == second.json()["id"]
    assert InboundMessage.objects.count() == 1


def test_a_bad_signature_is_refused_and_nothing_is_stored(db: Any) -> None:
    raw = mail()
    response = post(raw, signature="sha256=" + "0" * 64)
    assert response.status_code == 401
    assert response.json() == {
        "error": "the signature does not match: HMAC-SHA256 of timestamp + '.' + body with the shared secret"
    }
    assert InboundMessage.objects.count() == 0


def test_a_signature_over_a_different_body_is_refused(db: Any) -> None:
    stamp = str(int(time.time()))
    response = post(mail(), timestamp=int(stamp), signature=signature_for(secret=SECRET, timestamp=stamp, body=b"x"))
    assert response.status_code == 401


def test_a_missing_signature_is_refused(db: Any) -> None:
    response = Client().post("/hooks/email", data=mail(), content_type="message/rfc822")
    assert response.status_code == 401
    assert response.json()["error"].startswith("missing X-Touchpoint-Timestamp or X-Touchpoint-Signature")


@pytest.mark.parametrize("age", [330, -330, 86400])  # well past the 300 s window: no flake at the edge
def test_a_stale_or_future_timestamp_is_refused(db: Any, age: int) -> None:
    response = post(mail(), timestamp=int(time.time()) - age)
    assert response.status_code == 401
    assert response.json() == {
        "error": "the timestamp is more than 5 minutes from our clock: sign each request when you send it"
    }
    assert InboundMessage.objects.count() == 0


def test_a_timestamp_that_is_not_a_number_is_refused(db: Any) -> None:
    response = post(mail(), signature="sha256=00", headers={"X-Touchpoint-Timestamp": "yesterday"})
    assert (response.status_code, response.json()) == (
        401,
        {"error": "X-Touchpoint-Timestamp must be Unix time in whole seconds"},
    )


def test_an_oversized_message_is_refused_with_413(db: Any, settings: Any) -> None:
    settings.TOUCHPOINT_INBOUND_MAX_BYTES = 1000
    response = post(mail(body="x" * 2000))
    assert response.status_code == 413
    assert response.json() == {
        "error": "the message is larger than 1000 bytes: send attachments as links, "
        "or raise TOUCHPOINT_INBOUND_MAX_BYTES"
    }
    assert InboundMessage.objects.count() == 0


def test_a_message_larger_than_djangos_own_body_limit_but_within_ours_is_received(db: Any, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = post(mail(body="y" * 5000))
    assert (response.status_code, response.json()["duplicate"]) == (200, False)


@pytest.mark.parametrize(
    "body",
    [
        b"\x00\xff\xfe garbage \x80\x81",
        b"not an email at all",
        b"From: \r\nSubject: =?utf-8?b?!!!?=\r\n\r\n",
        b"Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\nContent-Type: message/rfc822\r\n\r\n" * 50,
    ],
)
def test_garbage_is_stored_never_a_500(db: Any, body: bytes) -> None:
    response = post(body)
    assert response.status_code == 200
    message = InboundMessage.objects.get()
    assert bytes(message.raw) == body
    assert (message.kind, message.case_id) == ("new", None)


@pytest.mark.parametrize("body", [b"", b"\r\n\r\n"])
def test_an_empty_body_is_refused_with_400(db: Any, body: bytes) -> None:
    response = post(body)
    assert (response.status_code, response.json()) == (
        400,
        {"error": "the body is empty: send the whole raw message, headers and body"},
    )


def test_another_content_type_is_refused_with_415(db: Any) -> None:
    response = post(mail(), content_type="application/json")
    assert response.status_code == 415
    assert response.json() == {"error": "send the raw message with Content-Type: message/rfc822"}


def test_without_a_configured_secret_the_webhook_is_refused(db: Any, settings: Any) -> None:
    settings.TOUCHPOINT_INBOUND_WEBHOOK_SECRET = ""
    response = post(mail())
    assert response.status_code == 503
    assert response.json() == {"error": "inbound email is not configured here: set TOUCHPOINT_INBOUND_WEBHOOK_SECRET"}


def test_get_is_not_allowed(db: Any) -> None:
    assert Client().get("/hooks/email").status_code == 405


def test_the_webhook_needs_no_csrf_token(paid_case: Case) -> None:
    raw = mail(subject=paid_case.reference)
    stamp = str(int(time.time()))
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/hooks/email",
        data=raw,
        content_type="message/rfc822",
        headers={
            "X-Touchpoint-Timestamp": stamp,
            "X-Touchpoint-Signature": signature_for(secret=SECRET, timestamp=stamp, body=raw),
        },
    )
    assert response.status_code == 200


def test_a_failure_to_store_asks_the_sender_to_retry_not_a_500(db: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(**kwargs: Any) -> Any:
        raise RuntimeError("disk full")

    monkeypatch.setattr("touchpoint.api.views.inbound_receive", broken)
    response = post(mail())
    assert (response.status_code, response.json()) == (
        503,
        {"error": "we could not store the message just now: retry later"},
    )


@hypothesis_settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.binary(min_size=1, max_size=3000))
def test_any_signed_body_is_answered_200_or_400_never_500(db: Any, body: bytes) -> None:
    response = post(body)
    assert response.status_code == (200 if body.strip() else 400)
