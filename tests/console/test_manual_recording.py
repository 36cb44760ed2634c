"""Nobody can record a carrier's step (issue 12, failure 2), fixed: a lead, or the team that handed the
case to the carrier, records the carrier's (or Touchpoint's) step by hand with a reason and a
confirmation. The journey sees the carrier; the timeline keeps the person and why. Anyone else is not
offered it, and is refused with the reason if they post it anyway; nothing changes."""

from __future__ import annotations

import re

import pytest

from tests.console.given import by_hand, fresh, open_order_problem, open_repair, page_url, record, signed_in, state_of
from tests.support.factories import StaffFactory
from touchpoint.cases.actors import CUSTOMER, SYSTEM
from touchpoint.cases.models import Case, TimelineEntry
from touchpoint.flows.advance import case_advance
from touchpoint.staff.models import Role, StaffUser

pytestmark = pytest.mark.django_db
REASON = "the customer says the parcel arrived"


@pytest.fixture
def shipping() -> StaffUser:
    return StaffFactory(username="sam", first_name="Sam", teams=["shipping"])


@pytest.fixture
def bench() -> StaffUser:
    return StaffFactory(username="bo", first_name="Bo", teams=["bench"])


@pytest.fixture
def priya() -> StaffUser:
    return StaffFactory(username="priya", first_name="Priya", role=Role.LEAD, teams=["care"])


def kit_in_the_post(shipping: StaffUser) -> Case:
    """A prepaid-box order, paid by card, whose kit shipping dispatched at the scan station."""
    case = open_repair(prepaid_box=True)
    case = case_advance(case=case, event="card_submitted", actor=CUSTOMER).case  # the customer's pay button
    case_advance(case=case, event="payment_succeeded", actor=SYSTEM)  # the card provider's webhook
    scanned = signed_in(shipping).post(
        "/console/scan/", {"code": case.reference, "action": "dispatched", "tracking_number": "RM1GB"}
    )
    assert scanned.status_code == 302
    case = fresh(case)
    assert case.state == "box_in_post"
    return case


def test_shipping_who_sent_the_kit_records_its_delivery_by_hand_and_the_timeline_says_who_and_why(
    shipping: StaffUser,
) -> None:
    case = kit_in_the_post(shipping)
    client = signed_in(shipping)
    # Only the carrier's delivery: its overdue timer is the wait limit's to fire, never a person's.
    assert by_hand(client, case) == ["box_delivered"]
    html = client.get(page_url(case)).content.decode()
    assert (
        '<legend>Repair kit delivered <span class="to">→ Waiting for your device</span> '
        "<small>(the carrier's step)</small></legend>" in html.replace("&#x27;", "'")
    )
    response = record(client, case, "box_delivered", REASON, "m1")
    assert response.status_code == 302
    now = fresh(case)
    assert now.state == "awaiting_device"
    entry = TimelineEntry.objects.filter(case=case).order_by("-seq").first()
    assert entry is not None
    assert (entry.event, entry.actor_kind, entry.actor_user) == ("box_delivered", "carrier", shipping)
    assert entry.detail["manual"] == REASON
    assert entry.summary == (
        "Your repair kit is in the post → Waiting for your device "
        f"(Repair kit delivered, recorded by hand by Sam: {REASON})"
    )
    page = client.get(page_url(case)).content.decode()
    assert "Recorded by hand for the carrier: Repair kit delivered. The case is now “Waiting for your device”." in page
    assert '· Sam, for the carrier · <span class="pill manual">recorded by hand</span></p>' in page


def test_a_lead_records_any_carrier_step_and_the_journey_takes_it_as_the_carriers(
    priya: StaffUser,
) -> None:
    warehouse = StaffFactory(username="wes", first_name="Wes", teams=["warehouse"])
    care = StaffFactory(username="jo", first_name="Jo", teams=["care"])
    case = open_order_problem()
    signed_in(care).post(page_url(case, "event"), {"event": "replacement_requested", "version": 1, "nonce": "a"})
    wes = signed_in(warehouse)
    wes.post(page_url(case, "event"), {"event": "acknowledged", "version": fresh(case).version, "nonce": "b"})
    form = {"event": "packed", "version": fresh(case).version, "nonce": "c"}
    wes.post(page_url(case, "event"), {**form, "packed-sku_matches_order": "yes", "packed-repeat_wrong_part": "no"})
    assert fresh(case).state == "replacement_in_post"
    assert by_hand(signed_in(priya), case) == ["delivered"]
    assert by_hand(wes, case) == ["delivered"]  # the warehouse handed it to the carrier
    assert by_hand(signed_in(care), case) == []  # care didn't
    response = record(signed_in(priya), case, "delivered", "she rang: it came this morning", "m2")
    assert response.status_code == 302
    assert fresh(case).state == "confirming"
    entry = TimelineEntry.objects.filter(case=case, event="delivered").get()
    assert (entry.actor_kind, entry.actor_user, entry.detail["manual"]) == (
        "carrier",
        priya,
        "she rang: it came this morning",
    )


def test_an_agent_outside_the_team_is_not_offered_it_and_is_refused_with_the_reason(
    shipping: StaffUser, bench: StaffUser
) -> None:
    case = kit_in_the_post(shipping)
    client = signed_in(bench)
    assert by_hand(client, case) == []
    assert 'class="card manual"' not in client.get(page_url(case)).content.decode()
    before = state_of(case)
    response = record(client, case, "box_delivered", REASON, "m3")
    assert response.status_code == 403
    assert (
        "Not recorded, nothing changed: only a lead, or the team that hands the case on to the carrier, may "
        "record “Repair kit delivered” by hand." in response.content.decode()
    )
    assert state_of(case) == before


def test_a_step_that_is_not_the_carriers_cannot_be_recorded_by_hand(shipping: StaffUser, priya: StaffUser) -> None:
    case = kit_in_the_post(shipping)
    before = state_of(case)
    # The wait limit's own step, and a team's step, posted as if by hand.
    for nonce, event in (("t1", "box_not_delivered"), ("t2", "box_resent")):
        response = record(signed_in(priya), case, event, REASON, nonce)
        assert response.status_code == 403
        assert "can be recorded by hand now" in response.content.decode()
    assert state_of(case) == before


def test_the_reason_and_the_confirmation_are_asked_for_and_what_was_typed_is_kept(shipping: StaffUser) -> None:
    case = kit_in_the_post(shipping)
    client = signed_in(shipping)
    before = state_of(case)
    response = record(client, case, "box_delivered", "  ", "m4")
    assert response.status_code == 400
    html = response.content.decode()
    assert (
        '<ul class="errorlist" id="manual-box_delivered-reason-error"><li>Say how you know, e.g. “the customer '
        "says the parcel arrived”.</li></ul>" in html
    )
    assert 'aria-invalid="true" aria-describedby="manual-box_delivered-reason-error"' in html
    response = record(client, case, "box_delivered", "she phoned", "m5", confirm=False)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Tick the box to confirm you are recording this step in your name." in html
    assert re.search(r'id="manual-box_delivered-reason" name="reason"[^>]*value="she phoned"', html)
    assert state_of(case) == before


def test_a_double_click_records_once_and_a_stale_page_is_told_what_changed(shipping: StaffUser) -> None:
    case = kit_in_the_post(shipping)
    client = signed_in(shipping)
    stale = case.version
    form = {"event": "box_delivered", "reason": REASON, "confirm": "1", "version": stale, "nonce": "same"}
    assert client.post(page_url(case, "record"), form).status_code == 302
    assert client.post(page_url(case, "record"), form).status_code == 302
    assert TimelineEntry.objects.filter(case=case, event="box_delivered").count() == 1
    after = state_of(case)
    response = client.post(page_url(case, "record"), {**form, "nonce": "other"})
    assert response.status_code == 409
    assert "While you were looking, you (in another tab or window) changed this case at" in response.content.decode()
    assert state_of(case) == after
