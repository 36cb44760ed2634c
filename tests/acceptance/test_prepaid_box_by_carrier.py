"""Issue 15, "done when": a prepaid-box case goes from label to delivered and back home driven only
by carrier webhooks. The customer orders on the public form; staff do what a person does on the
console's pages and at the scan station; every parcel's step (the kit out, the device in, the device
home) is a signed webhook POST. At each step the customer's page, opened by the link in the email
they were just sent, says where things are. Also the carrier's gaps issue 15 left (docs/carriers.md):
the device's trip in is a tracked parcel, its first scan posts it, and a traced parcel's delivery
moves the case on. Run on SQLite and on PostgreSQL (DATABASE_URL)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.portal.story import Customer, crew, repair_order
from tests.support.carriers import TRACKING_NUMBER, deliver, recorded
from tests.support.pages import Form, Page, path_of
from touchpoint.cases.models import Case, TimelineEntry, Timer, TimerStatus
from touchpoint.outbox.models import OutboxMessage
from touchpoint.shipping.models import Leg, Shipment

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("carrier_secrets")]

KIT = TRACKING_NUMBER
DEVICE_IN = "RM900000015GB"
HOME = "RM555666777GB"


# --- the carrier, the customer's inbox and the staff's pages ------------------------------------


def carrier_says(provider: str, name: str, tracking_number: str) -> dict[str, Any]:
    """The carrier's signed webhook about ``tracking_number`` (a recorded one, about our parcel)."""
    body = recorded(provider, name).replace(TRACKING_NUMBER.encode(), tracking_number.encode())
    response = deliver(provider, body)
    assert response.status_code == 200, response.content
    answer: dict[str, Any] = response.json()
    return answer


def moves(answer: dict[str, Any]) -> list[str]:
    return [u["moved_by"] for u in answer["updates"] if u["moved_by"]]


def latest_email(case: Case, touchpoint: str) -> OutboxMessage:
    """The email the move just queued for the customer (the worker sends it as it stands)."""
    return OutboxMessage.objects.filter(case=case, channel="email", touchpoint=touchpoint).latest("created_at")


def by_the_link_in(message: OutboxMessage) -> str:
    """The customer's page, opened by the link in ``message``, as a fresh browser would."""
    found = re.search(r"https?://[^\s\"<>]+(/c/[^/\s\"<>]+/)", message.body_text)
    assert found is not None, message.body_text
    response = Client().get(found.group(1))
    assert response.status_code == 200
    return response.content.decode()


def desk() -> Client:
    staff = Client()
    staff.force_login(crew())
    return staff


def console_form(staff: Client, case: Case, wanted: Any) -> Form:
    url = reverse("console:case", args=[case.reference])
    page = Page.parse(staff.get(url).content.decode(), url="http://testserver" + url)
    forms = [form for form in page.forms if wanted(form)]
    assert forms, f"the console's case page offers no such form at {case.state}"
    return forms[0]


def console_does(staff: Client, case: Case, event: str) -> None:
    """A step a person takes with the console case page's button for ``event``."""
    form = console_form(staff, case, lambda f: f.sends("event", event) and "reason" not in str(f.field_names()))
    button = next((b for b in form.buttons if b.get("name") == "event" and b.get("value") == event), None)
    _, address, data = form.submission(button=button)
    assert staff.post(path_of(address), data).status_code in (302, 303)


def console_pays(staff: Client, case: Case, amount: str) -> None:
    """Intake records the bank transfer on the console's payments panel."""
    form = console_form(staff, case, lambda f: {"amount", "method"} <= f.field_names())
    fill = {"amount": amount, "method": "bank_transfer", "reference": f"{case.reference} transfer"}
    _, address, data = form.submission(fill=fill)
    assert staff.post(path_of(address), data).status_code in (302, 303)


def console_diagnoses_no_extra_work(staff: Client, case: Case) -> None:
    form = console_form(staff, case, lambda f: {"description", "price"} <= f.field_names())
    button = next(b for b in form.buttons if b.get("value") == "none")
    _, address, data = form.submission(button=button)
    assert staff.post(path_of(address), data).status_code in (302, 303)


def scan_station(staff: Client, case: Case, action: str, **details: str) -> None:
    response = staff.post(reverse("console:scan"), {"code": case.reference, "action": action, **details})
    assert response.status_code == 302


# --- the story -----------------------------------------------------------------------------------


@pytest.mark.parametrize("provider", ["aftership", "easypost", "shippo"])
def test_a_prepaid_box_case_goes_from_label_to_delivered_and_back_home_driven_only_by_carrier_webhooks(
    provider: str,
) -> None:
    staff = desk()
    # Given a customer orders a repair with a prepaid box on the public form, and pays by transfer
    customer = repair_order()
    console_pays(staff, customer.case, "29.00")
    assert customer.case.state == "box_to_send"

    # When shipping sends the kit, the label inside it for the device's trip in scanned too
    scan_station(
        staff, customer.case, "dispatched", carrier="Royal Mail", tracking_number=KIT, inbound_tracking_number=DEVICE_IN
    )
    # Then both parcels are kept: the kit going out, the device's trip in
    case = customer.case
    assert case.state == "box_in_post"
    assert sorted(Shipment.objects.filter(case=case).values_list("leg", "tracking_number")) == [
        (Leg.BOX, KIT),
        (Leg.INBOUND, DEVICE_IN),
    ]
    assert "Your repair kit" in by_the_link_in(latest_email(case, "box_on_its_way"))

    # When the carrier scans the kit and delivers it
    assert moves(carrier_says(provider, "in_transit", KIT)) == []
    assert customer.case.state == "box_in_post"
    assert moves(carrier_says(provider, "delivered", KIT)) == ["box_delivered"]
    # Then the customer is told it has arrived and what to do next
    assert customer.case.state == "awaiting_device"
    page = by_the_link_in(latest_email(case, "box_delivered"))
    assert "Your repair kit: Delivered" in page
    assert "Waiting for your device" in page

    # When the carrier's first scan of the device's parcel comes (the customer never said "posted")
    answer = carrier_says(provider, "in_transit", DEVICE_IN)
    # Then that scan is the posting: the case moves, and the carrier accepts the parcel
    assert moves(answer) == ["device_posted"]
    assert customer.case.state == "device_in_transit"
    posted = TimelineEntry.objects.get(case=case, event="device_posted")
    assert posted.actor_kind == "carrier"
    assert TimelineEntry.objects.filter(case=case, event="handoff_accepted", actor_kind="carrier").count() == 2
    assert not Timer.objects.filter(case=case, purpose="accept", status=TimerStatus.PENDING).exists()
    page = by_the_link_in(latest_email(case, "device_on_its_way"))
    assert "Your device is on its way to us" in page
    assert "Your device, on its way to us: On its way" in page

    # When the carrier delivers the device at the shop
    assert moves(carrier_says(provider, "delivered", DEVICE_IN)) == ["device_arrived"]
    # Then it has arrived, by the carrier's word, and is resting
    assert customer.case.state == "resting"
    assert TimelineEntry.objects.get(case=case, event="device_arrived").actor_kind == "carrier"
    assert "Your device, on its way to us: Delivered" in by_the_link_in(latest_email(case, "arrived_resting"))

    # When the bench repairs it on the console, and shipping sends it home from the scan station
    console_does(staff, customer.case, "surgery_started")
    console_diagnoses_no_extra_work(staff, customer.case)
    console_does(staff, customer.case, "repair_done")
    console_does(staff, customer.case, "qc_passed")
    assert customer.case.state == "return_to_pack"
    scan_station(staff, customer.case, "dispatched", carrier="Royal Mail", tracking_number=HOME)
    assert customer.case.state == "return_in_post"

    # When the carrier scans the parcel home and delivers it
    assert moves(carrier_says(provider, "in_transit", HOME)) == []
    assert moves(carrier_says(provider, "delivered", HOME)) == ["return_delivered"]
    # Then the device is home, by the carrier's word, and the customer's page says so
    case = customer.case
    assert case.state == "feedback_asked"
    assert case.data["at_home"] is True
    page = by_the_link_in(latest_email(case, "home_safe"))
    assert "Back home" in page
    assert "Your device, on its way home: Delivered" in page
    # And every carrier step was the carrier's: no person recorded a parcel's move
    carried = TimelineEntry.objects.filter(
        case=case, event__in=["box_delivered", "device_posted", "device_arrived", "return_delivered"]
    )
    assert sorted(carried.values_list("event", "actor_kind")) == [
        ("box_delivered", "carrier"),
        ("device_arrived", "carrier"),
        ("device_posted", "carrier"),
        ("return_delivered", "carrier"),
    ]

    # When every delivery is replayed (the providers retry)
    version = case.version
    for number in (KIT, DEVICE_IN, HOME):
        answer = carrier_says(provider, "delivered", number)
        assert {u["outcome"] for u in answer["updates"]} == {"duplicate"}
    # Then nothing moves
    assert (customer.case.state, customer.case.version) == ("feedback_asked", version)


def kit_out_with_the_devices_label(staff: Client) -> Customer:
    customer = repair_order()
    console_pays(staff, customer.case, "29.00")
    scan_station(
        staff, customer.case, "dispatched", carrier="Royal Mail", tracking_number=KIT, inbound_tracking_number=DEVICE_IN
    )
    return customer


def test_a_device_delivered_before_any_other_scan_is_posted_and_arrived_at_once() -> None:
    staff = desk()
    customer = kit_out_with_the_devices_label(staff)
    carrier_says("aftership", "delivered", KIT)
    assert customer.case.state == "awaiting_device"
    # When the device's parcel's only news is its delivery (every scan in one webhook, as AfterShip sends)
    answer = carrier_says("aftership", "delivered", DEVICE_IN)
    # Then the first scan posts it and the delivery is its arrival, each once
    assert moves(answer) == ["device_posted", "device_arrived"]
    assert customer.case.state == "resting"
    events = TimelineEntry.objects.filter(case=customer.case, event__in=["device_posted", "device_arrived"])
    assert sorted(events.values_list("event", flat=True)) == ["device_arrived", "device_posted"]


def test_the_kits_own_delivery_never_posts_the_device() -> None:
    staff = desk()
    customer = kit_out_with_the_devices_label(staff)
    # When the kit's parcel is delivered, and its carrier sends the delivery again
    carrier_says("easypost", "delivered", KIT)
    carrier_says("shippo", "delivered", KIT)
    # Then the case waits for the customer: only the device's own parcel speaks for the device
    assert customer.case.state == "awaiting_device"
    assert not TimelineEntry.objects.filter(case=customer.case, event="device_posted").exists()


def test_a_kit_without_the_devices_tracking_number_waits_for_the_customer_as_before() -> None:
    staff = desk()
    customer = repair_order()
    console_pays(staff, customer.case, "29.00")
    scan_station(staff, customer.case, "dispatched", carrier="Royal Mail", tracking_number=KIT)
    carrier_says("aftership", "delivered", KIT)
    assert list(Shipment.objects.filter(case=customer.case).values_list("leg", flat=True)) == [Leg.BOX]
    assert customer.case.state == "awaiting_device"
    response = customer.act("device_posted", confirm=True)
    assert response.status_code == 303
    assert customer.case.state == "device_in_transit"


@pytest.mark.parametrize(
    ("lost_by", "traced", "delivered_by", "then"),
    [
        ("returned_to_sender", "box_lost", "box_delivered", "awaiting_device"),
    ],
)
def test_a_kit_being_traced_that_the_carrier_then_delivers_moves_the_case_on(
    lost_by: str, traced: str, delivered_by: str, then: str
) -> None:
    staff = desk()
    customer = kit_out_with_the_devices_label(staff)
    # Given the carrier said the kit was going back, so the shipping team is tracing it
    assert moves(carrier_says("aftership", lost_by, KIT)) == ["box_not_delivered"]
    assert customer.case.state == traced
    # When a scan that isn't a delivery comes (news, but not an arrival)
    assert moves(carrier_says("shippo", "in_transit", KIT)) == []
    assert customer.case.state == traced
    # When the carrier delivers it after all
    answer = carrier_says("shippo", "delivered", KIT)
    # Then the case moves on, by the carrier, and the customer hears
    assert moves(answer) == [delivered_by]
    assert customer.case.state == then
    assert "Your repair kit: Delivered" in by_the_link_in(latest_email(customer.case, "box_delivered"))


def test_a_device_being_traced_that_the_carrier_then_delivers_has_arrived() -> None:
    staff = desk()
    customer = kit_out_with_the_devices_label(staff)
    carrier_says("aftership", "delivered", KIT)
    carrier_says("aftership", "in_transit", DEVICE_IN)
    assert customer.case.state == "device_in_transit"
    # Given the carrier lost track of the device, so the shipping team is tracing it
    assert moves(carrier_says("shippo", "lost", DEVICE_IN)) == ["device_overdue"]
    assert customer.case.state == "device_lost"
    # When the carrier delivers it at the shop after all
    assert moves(carrier_says("shippo", "delivered", DEVICE_IN)) == ["device_arrived"]
    # Then the device has arrived
    assert customer.case.state == "resting"
    assert TimelineEntry.objects.get(case=customer.case, event="device_arrived").actor_kind == "carrier"


def test_the_return_parcel_being_traced_that_the_carrier_then_delivers_is_home() -> None:
    staff = desk()
    customer = kit_out_with_the_devices_label(staff)
    carrier_says("aftership", "delivered", KIT)
    carrier_says("aftership", "delivered", DEVICE_IN)
    console_does(staff, customer.case, "surgery_started")
    console_diagnoses_no_extra_work(staff, customer.case)
    console_does(staff, customer.case, "repair_done")
    console_does(staff, customer.case, "qc_passed")
    scan_station(staff, customer.case, "dispatched", carrier="Royal Mail", tracking_number=HOME)
    assert moves(carrier_says("aftership", "returned_to_sender", HOME)) == ["return_overdue"]
    assert customer.case.state == "return_lost"
    assert moves(carrier_says("easypost", "delivered", HOME)) == ["return_delivered"]
    assert customer.case.state == "feedback_asked"
