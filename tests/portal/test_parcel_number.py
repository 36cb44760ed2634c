"""Issue 15's gap: the customer gives their own parcel's tracking number on their case page, with "I've
posted my device" or later while it travels. It is recorded as the case's inbound parcel exactly as
the scan station records a typed number, the worker registers it with the shop's tracker (loopback
aggregators with recorded answers: tests/shipping/recorded/), and the aggregator's word then moves the
case. Bad numbers are said beside the field with what was typed kept, and change nothing; twice is
once; the form is rate-limited. Through the case page (Django's test client), the worker and the
signed webhooks. SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.portal.story import Customer, crew, paid, problem_at, repair_at, repair_order
from tests.shipping.test_typed_trackers import kit_dispatched
from tests.support.carrier_api_server import CarrierApi, configure_labels
from tests.support.carriers import TRACKING_NUMBER, deliver, recorded
from touchpoint.cases.models import Task, TimelineEntry
from touchpoint.core.clock import at, now
from touchpoint.shipping.models import Leg, Shipment
from touchpoint.worker.loop import Worker

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("carrier_secrets")]

DEVICE_NUMBER = "RM987654321GB"  # the recorded trackers' parcel: the device posted from Bristol to the shop


def own_packaging() -> Customer:
    """A repair ordered without a prepaid box and paid: the customer posts the device themselves."""
    customer = repair_order(prepaid_box=False)
    paid(customer)
    assert customer.case.state == "awaiting_device"
    return customer


def work(minutes: float = 0) -> None:
    with at(now() + timedelta(minutes=minutes)):
        Worker(worker_id="w1").run(until_idle=True)


def inbound(customer: Customer) -> list[Shipment]:
    return list(Shipment.objects.filter(case=customer.case, leg=Leg.INBOUND))


def text_of(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def give_later(customer: Customer, number: str, carrier: str = "Royal Mail") -> Any:
    return customer.client.post(
        reverse("portal:parcel_number", args=[customer.token]),
        {"parcel-tracking_number": number, "parcel-carrier": carrier},
    )


def test_posted_with_its_number_is_registered_and_the_carriers_delivery_brings_it_in(
    api: CarrierApi, settings: Any
) -> None:
    # Given the shop's typed numbers are tracked by AfterShip (its webhooks)
    configure_labels(settings, api, tracker="aftership")
    customer = own_packaging()
    # Then "I've posted my device" asks for the parcel's number, optional, and its carrier
    html = customer.page()
    form = re.search(r'<form[^>]*id="act-device_posted".*?</form>', html, re.S)
    assert form is not None
    assert 'name="device_posted-tracking_number"' in form.group(0)
    assert "Tracking number" in form.group(0) and "Optional" in form.group(0)
    carriers = re.findall(r'<option value="([^"]*)"', form.group(0))
    assert carriers == ["Royal Mail", "Parcelforce", "DPD", "Evri", "DHL Express", "UPS", "FedEx", "USPS", "other"]

    # When the customer says they posted it, typing the number as the receipt shows it
    response = customer.act("device_posted", tracking_number="rm 1234 5678 5gb", carrier="Royal Mail")
    # Then the case moves and the parcel is recorded with the move, as a typed number at the scan station
    assert response.status_code == 303
    assert customer.case.state == "device_in_transit"
    [parcel] = inbound(customer)
    assert (parcel.tracking_number, parcel.carrier, parcel.provider) == (TRACKING_NUMBER, "Royal Mail", "")
    assert parcel.next_poll_at is not None  # due for the worker's registration
    assert api.requests == []  # nothing asked in the web request
    page = text_of(customer.page())
    assert f"Royal Mail, tracking number {TRACKING_NUMBER}" in page
    assert "Tracking registered" not in page

    # When the worker runs
    work()
    # Then AfterShip was asked once to track it, in its words for the carrier
    [asked] = api.registrations("aftership")
    assert asked.body == {"tracking_number": TRACKING_NUMBER, "slug": "royal-mail"}
    assert Shipment.objects.get(pk=parcel.pk).provider == "aftership"
    assert "Tracking registered" in text_of(customer.page())

    # When AfterShip's signed webhook says the parcel was delivered to the shop
    response = deliver("aftership", recorded("aftership", "delivered"))
    # Then the case moves on by the carrier's word: the device has arrived
    assert response.status_code == 200
    assert customer.case.state == "resting"
    assert TimelineEntry.objects.get(case=customer.case, event="device_arrived").actor_kind == "carrier"
    page = customer.page()
    assert "Follow it on the carrier's own page" in page
    work(60)
    assert len(api.registrations("aftership")) == 1


def test_a_number_given_later_is_registered_polled_and_brings_the_device_in(api: CarrierApi, settings: Any) -> None:
    # Given EasyPost tracks typed numbers and is polled
    configure_labels(settings, api, tracker="easypost", poll=["easypost"])
    customer = own_packaging()
    # When the customer says they posted it without a number
    assert customer.act("device_posted").status_code == 303
    assert customer.case.state == "device_in_transit"
    assert inbound(customer) == []
    # Then their page asks for the number on its own
    html = customer.page()
    assert 'id="parcel-number"' in html
    assert "Give me its tracking number" in text_of(html)

    # When they give it, twice (a double tap)
    first = give_later(customer, " rm 9876 5432 1gb ")
    again = give_later(customer, "RM987654321GB")
    # Then one parcel is recorded; the second says it counts once
    assert (first.status_code, again.status_code) == (303, 303)
    [parcel] = inbound(customer)
    assert (parcel.tracking_number, parcel.carrier) == (DEVICE_NUMBER, "Royal Mail")
    page = text_of(customer.client.get(customer.url).content.decode())
    assert "We already have that tracking number: it only counts once." in page
    assert 'id="parcel-number"' not in customer.page()  # we have the number: no form any more

    # When the worker registers it and polls EasyPost, which has it delivered
    work()
    assert [s.body["tracker"]["tracking_code"] for s in api.registrations("easypost") if s.body] == [DEVICE_NUMBER]
    api.tracker = "trackers_delivered"
    work(61)
    # Then the device is at the bench, by the carrier's word
    assert customer.case.state == "resting"
    assert TimelineEntry.objects.get(case=customer.case, event="device_arrived").actor_kind == "carrier"


def test_posting_the_same_form_twice_records_one_parcel() -> None:
    customer = own_packaging()
    post = customer.form_of("device_posted")
    post.update({"device_posted-tracking_number": "RM123456785GB", "device_posted-carrier": "Royal Mail"})
    url = reverse("portal:action_take", args=[customer.token])
    assert customer.client.post(url, post).status_code == 303
    assert customer.client.post(url, post).status_code == 303  # the same form again
    assert len(inbound(customer)) == 1
    assert TimelineEntry.objects.filter(case=customer.case, event="device_posted").count() == 1


def test_another_carrier_or_not_sure_is_recorded_and_a_person_is_asked(api: CarrierApi, settings: Any) -> None:
    configure_labels(settings, api, tracker="shippo")
    customer = own_packaging()
    assert customer.act("device_posted", tracking_number="JJD0002249", carrier="other").status_code == 303
    [parcel] = inbound(customer)
    assert (parcel.tracking_number, parcel.carrier) == ("JJD0002249", "")
    work()
    # Shippo can't be told a carrier nobody named: the shipping team is asked instead
    assert api.registrations("shippo") == []
    [task] = Task.objects.filter(case=customer.case, source_key__startswith="tracker")
    assert task.title == "Carrier not recognised: “(no carrier named)” for parcel JJD0002249"
    assert task.owner == "team:shipping"


def taken_elsewhere() -> str:
    """A kit dispatched at the scan station for another customer, with its tracking number."""
    other = repair_at("box_to_send", Client(), email="sam@example.com", name="Sam Lee")
    staff = Client()
    staff.force_login(crew())
    staff.post(
        "/console/scan/",
        {"code": other.case.reference, "action": "dispatched", "carrier": "DPD", "tracking_number": "15501234567890"},
    )
    assert other.case.state == "box_in_post"
    return "1550 1234 5678 90"


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("RM12345<b>GB", "A tracking number has only letters and digits (sometimes a hyphen)"),
        ("RM１２３４５６７８GB", "A tracking number has only letters and digits (sometimes a hyphen)"),
        ("RM1", "That's too short for a tracking number"),
        ("RM" + "1" * 40 + "GB", "That's longer than any tracking number we know (44 characters; at most 40)"),
        ("9" * 81, "That's longer than any tracking number we know: please check your receipt."),
        ("elsewhere", "That tracking number is already on another order with us."),
    ],
)
def test_a_number_that_cant_be_right_is_said_beside_it_and_nothing_moves(typed: str, said: str) -> None:
    if typed == "elsewhere":
        typed = taken_elsewhere()
    customer = own_packaging()
    version = customer.case.version
    response = customer.act("device_posted", tracking_number=typed, carrier="DPD")
    assert response.status_code == 400
    html = response.content.decode()
    error = re.search(r'<p class="error" id="err-device_posted-tracking_number">(.*?)</p>', html, re.S)
    assert error is not None and said in unescape(error.group(1))
    # What was typed is kept, with the carrier chosen, and nothing changed
    field = re.search(r'<input type="text" name="device_posted-tracking_number"[^>]*value="([^"]*)"', html)
    assert field is not None and unescape(field.group(1)) == typed
    assert re.search(r'<option value="DPD" selected>', html)
    assert 'aria-invalid="true"' in html
    assert (customer.case.state, customer.case.version) == ("awaiting_device", version)
    assert inbound(customer) == []


def test_a_kit_whose_return_label_we_know_asks_no_number() -> None:
    # Given a prepaid kit that went out with its return label's number typed at the scan station
    customer = kit_dispatched(inbound="RM 9876 5432 1GB")
    customer.act("box_delivered")
    assert customer.case.state == "awaiting_device"
    # Then "I've posted my device" asks for nothing: we know the parcel's number already
    form = re.search(r'<form[^>]*id="act-device_posted".*?</form>', customer.page(), re.S)
    assert form is not None and "tracking_number" not in form.group(0)
    # And with the parcel in the post, the page takes no second number for it
    customer.act("device_posted")
    assert customer.case.state == "device_in_transit"
    response = give_later(customer, TRACKING_NUMBER)
    assert response.status_code == 409
    assert "We can't take a tracking number at this step" in text_of(response.content.decode())


def test_the_number_of_a_parcel_we_sent_is_refused_as_the_devices() -> None:
    customer = kit_dispatched()  # its tracking number typed at the scan station: RM 1234 5678 5GB
    customer.act("box_delivered")
    response = customer.act("device_posted", tracking_number="rm123456785gb")
    assert response.status_code == 400
    assert "That's the number of a parcel we sent you." in text_of(response.content.decode())
    assert customer.case.state == "awaiting_device"


def test_a_number_given_later_is_checked_and_kept(settings: Any) -> None:
    customer = own_packaging()
    # Not yet: the page takes the number with "I've posted my device" at this step
    response = give_later(customer, DEVICE_NUMBER)
    assert response.status_code == 409
    assert inbound(customer) == []
    customer.act("device_posted")
    # A bad number comes back on a page of its own, typed text kept, nothing recorded
    response = give_later(customer, "RM 98765<4321GB", carrier="Evri")
    assert response.status_code == 400
    html = response.content.decode()
    assert "A tracking number has only letters and digits" in text_of(html)
    assert 'value="RM 98765&lt;4321GB"' in html
    assert '<option value="Evri" selected>' in html
    # An empty one, or an unknown carrier, is said too
    response = give_later(customer, "   ", carrier="Pigeon")
    assert response.status_code == 400
    said = text_of(response.content.decode())
    assert "Type the tracking number from your receipt." in said
    assert "Choose one of the carriers listed" in said
    assert inbound(customer) == []


def test_giving_numbers_is_rate_limited(settings: Any) -> None:
    settings.TOUCHPOINT_PORTAL_PERSON_RATE = 2
    customer = own_packaging()
    customer.act("device_posted")
    taken = taken_elsewhere()  # another order's number: refused each time, and counted
    assert give_later(customer, taken).status_code == 400
    assert give_later(customer, taken).status_code == 400
    # Then a third try in the window is held, even a good number, and nothing is recorded
    response = give_later(customer, DEVICE_NUMBER)
    assert response.status_code == 429
    assert "Please wait a few minutes and try again." in text_of(response.content.decode())
    assert inbound(customer) == []


def test_the_old_item_of_an_order_problem_takes_its_number_too() -> None:
    # Given a wrong item reported, the replacement right: the old item goes back by post
    customer = problem_at("awaiting_return")
    # When the customer says they posted it, with its number
    response = customer.act("return_posted", tracking_number="1550 1234 5678 91", carrier="DPD")
    # Then the old item's parcel is recorded with the move, as the device's is
    assert response.status_code == 303
    assert customer.case.state == "return_in_post"
    [parcel] = inbound(customer)
    assert (parcel.tracking_number, parcel.carrier) == ("15501234567891", "DPD")


def test_asking_for_the_number_costs_the_page_one_query(django_assert_num_queries: Any) -> None:
    # The case page of a repair posted in its own packaging read 13 queries before the number was asked
    # for (a customer who ordered has no session to read); one more says whether we have the parcel's
    # number already (shipping.given.inbound_number).
    customer = own_packaging()
    customer.page()  # the session and the shop's settings, as a visitor's second look
    with django_assert_num_queries(14):
        customer.page()
    customer.act("device_posted")
    customer.page()
    with django_assert_num_queries(14):
        customer.page()
