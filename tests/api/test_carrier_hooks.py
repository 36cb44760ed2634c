"""``POST /hooks/carriers/<provider>``: what each answers for requests that aren't a good event about
one of our parcels. Each is a 4xx or 503 with a sentence saying what is wrong (never a 500), or a
200 that keeps nothing; on every refusal nothing is stored and no case moves."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from django.test import Client

from tests.support.carriers import SECRETS, TRACKING_NUMBER, configure, deliver, dispatched, recorded
from touchpoint.cases.models import Case
from touchpoint.shipping.carriers import aftership, shippo
from touchpoint.shipping.models import Shipment, TrackingEvent

pytestmark = pytest.mark.django_db
PROVIDERS = ["aftership", "easypost", "shippo"]


@pytest.fixture
def secrets(settings: Any) -> None:
    configure(settings)


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_provider_with_no_secret_configured_takes_nothing(settings: Any, provider: str) -> None:
    configure(settings)
    setattr(settings, f"TOUCHPOINT_CARRIER_{provider.upper()}_SECRET", "")
    response = deliver(provider, recorded(provider, "delivered"))
    assert response.status_code == 503
    assert f"set TOUCHPOINT_CARRIER_{provider.upper()}_SECRET" in response.json()["error"]
    assert TrackingEvent.objects.count() == 0


@pytest.mark.parametrize("provider", PROVIDERS)
def test_only_post_is_answered(secrets: None, provider: str) -> None:
    assert Client().get(f"/hooks/carriers/{provider}").status_code == 405


def test_an_unknown_provider_is_not_found(secrets: None) -> None:
    assert Client().post("/hooks/carriers/dhl", data=b"{}", content_type="application/json").status_code == 404


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_body_over_the_limit_is_refused_before_it_is_read_whole(secrets: None, provider: str) -> None:
    body = b'{"x": "' + b"a" * (1024 * 1024) + b'"}'
    response = deliver(provider, body)
    assert response.status_code == 413
    assert response.json() == {"error": "the event is larger than 1048576 bytes"}


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_large_signed_body_that_isnt_an_event_is_a_clear_400(secrets: None, provider: str) -> None:
    body = json.dumps({"note": "a" * 900_000, "list": list(range(10_000))}).encode()
    response = deliver(provider, body)
    assert response.status_code == 400
    assert response.json()["error"].startswith("not a ")


WRONG = {
    "aftership": [
        {"event": "tracking_update", "msg": {"tracking_number": ["RM1"]}},
        {"event": "tracking_update", "msg": {"tracking_number": "RM1", "checkpoints": {"a": 1}}},
        {"event": "tracking_update", "msg": {"tracking_number": "RM1", "checkpoints": [{"tag": "InTransit"}]}},
        {"event": "tracking_update", "msg": {"tracking_number": "RM1", "checkpoints": [{"tag": 5}]}},
        {
            "event": "tracking_update",
            "msg": {"tracking_number": "RM1", "checkpoints": [{"tag": "Delivered", "checkpoint_time": "yesterday"}]},
        },
    ],
    "easypost": [
        {"description": "tracker.updated", "result": None},
        {"description": "tracker.updated", "result": {"tracking_code": True}},
        {"description": "tracker.updated", "result": {"tracking_code": "RM1", "tracking_details": [7]}},
        {"description": "tracker.updated", "result": {"tracking_code": "RM1", "tracking_details": [{"status": "x"}]}},
    ],
    "shippo": [
        {"event": "track_updated", "data": "RM1"},
        {"event": "track_updated", "data": {"tracking_number": "", "tracking_history": []}},
        {"event": "track_updated", "data": {"tracking_number": "RM1", "tracking_history": [{"status": None}]}},
        {"event": "track_updated", "data": {"tracking_number": "RM1", "tracking_status": {"status": "TRANSIT"}}},
    ],
}


@pytest.mark.parametrize(("provider", "body"), [(p, b) for p, bodies in WRONG.items() for b in bodies])
def test_signed_events_with_wrong_types_or_missing_fields_are_400_and_change_nothing(
    secrets: None, provider: str, body: dict[str, Any]
) -> None:
    response = deliver(provider, json.dumps(body).encode())
    assert response.status_code == 400
    assert response.json()["error"].startswith("not a ")
    assert TrackingEvent.objects.count() == 0


@pytest.mark.parametrize("provider", PROVIDERS)
def test_an_event_about_a_parcel_we_dont_know_is_answered_200_and_not_kept(secrets: None, provider: str) -> None:
    response = deliver(provider, recorded(provider, "in_transit"))
    assert response.status_code == 200
    assert {u["outcome"] for u in response.json()["updates"]} == {"unknown_parcel"}
    assert {u["tracking_number"] for u in response.json()["updates"]} == {TRACKING_NUMBER}
    assert TrackingEvent.objects.count() == 0


@pytest.mark.parametrize(("provider", "name"), [("easypost", "batch_created"), ("shippo", "transaction_created")])
def test_other_kinds_of_event_sharing_the_webhook_are_answered_with_no_updates(
    secrets: None, provider: str, name: str
) -> None:
    response = deliver(provider, recorded(provider, name))
    assert response.status_code == 200
    assert response.json() == {"provider": provider, "updates": []}


def test_a_shippo_event_signed_ten_minutes_ago_is_refused_as_a_replay(secrets: None) -> None:
    customer = dispatched()
    body = recorded("shippo", "delivered")
    old = shippo.sign(body, SECRETS["shippo"], timestamp=int(time.time()) - 600)
    response = deliver("shippo", body, old)
    assert response.status_code == 401
    assert Case.objects.get(pk=customer.case.pk).state == "box_in_post"
    assert TrackingEvent.objects.count() == 0


def test_a_signature_for_another_provider_is_not_accepted(secrets: None) -> None:
    # AfterShip's header and scheme, with AfterShip's secret, sent to the EasyPost webhook
    customer = dispatched()
    body = recorded("easypost", "delivered")
    response = deliver("easypost", body, aftership.sign(body, SECRETS["aftership"]))
    assert response.status_code == 401
    assert "X-Hmac-Signature" in response.json()["error"]
    assert Shipment.objects.get(case=customer.case).status == ""


def test_an_event_id_another_parcel_used_too_is_kept_for_each_parcel(secrets: None) -> None:
    # Given two kits in the post, and the provider reusing an event's id for the second parcel's event
    first = dispatched()
    second = dispatched(tracking_number="RM 9999 0000 1GB")
    body = recorded("shippo", "in_transit")
    assert deliver("shippo", body).status_code == 200
    response = deliver("shippo", body.replace(TRACKING_NUMBER.encode(), b"RM99990000 1GB"))
    # Then the second parcel's events are its own, not duplicates of the first's
    assert {u["outcome"] for u in response.json()["updates"]} == {"recorded"}
    for customer in (first, second):
        assert TrackingEvent.objects.filter(shipment__case=customer.case).count() == 2
