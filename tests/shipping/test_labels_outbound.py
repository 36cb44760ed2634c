"""Issue 15, part 4, for every parcel: the repair kit's label out and the label home are bought through
the aggregator (rates, then buy, for the case's service level) while the shop packs them, where the
journey says it packs (mail-in-repair ``box_to_send``, ``return_to_pack``). The scan station shows the
bought label, prints it and fills in its number; the dispatch records that parcel, so the carrier's
signed webhooks move the case. Another number typed over a bought label needs a reason (the bought one
is then voided through the aggregator); a label still being bought holds the dispatch unless another label's number is
typed; one that can't be bought is a task and the shop's own label, printed at the station.

The aggregators are a real HTTP server on loopback answering with recorded responses
(tests/shipping/recorded/); the carrier's webhooks are the recorded payloads of tests/support/carriers,
signed. SQLite and PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from tests.portal.story import Customer, crew, repair_at, staff_step
from tests.shipping.test_labels_bought import tracked_48, work
from tests.support.carrier_api_server import CarrierApi, carrier_api, configure_labels, nth_number, recorded_label
from tests.support.carriers import TRACKING_NUMBER, configure, deliver, recorded
from touchpoint.cases.models import Task
from touchpoint.shipping.models import LabelVoid, Leg, ServiceLevel, Shipment

pytestmark = pytest.mark.django_db
WEBHOOK_NAMES = {"easypost": "EasyPost", "shippo": "Shippo"}


@pytest.fixture
def api() -> Iterator[CarrierApi]:
    with carrier_api() as server:
        yield server


def shop_buys_labels(settings: Any, api: CarrierApi, provider: str) -> None:
    """The shop buys its labels through ``provider``, offers Royal Mail Tracked 48, and hears its webhooks."""
    configure_labels(settings, api, labels=provider)
    configure(settings)
    tracked_48(provider)


def staff() -> Client:
    client = Client()
    client.force_login(crew())
    return client


def look_up(code: str) -> str:
    """The scan station with ``code`` looked up before its dispatch."""
    response = staff().get("/console/scan/", {"code": code})
    assert response.status_code == 200
    return response.content.decode()


def dispatch(code: str, **typed: str) -> Any:
    return staff().post("/console/scan/", {"code": code, "action": "dispatched", **typed})


def carrier_delivers(provider: str, number: str) -> None:
    """The carrier's signed webhook: parcel ``number`` delivered (the recorded payload, its number)."""
    body = recorded(provider, "delivered").replace(TRACKING_NUMBER.encode(), number.encode())
    response = deliver(provider, body)
    assert response.status_code == 200, response.content
    assert [u["outcome"] for u in response.json()["updates"]][-1] == "recorded"


def input_value(html: str, name: str) -> str:
    found = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', html, re.S)
    assert found is not None, name
    return found.group(1)


@pytest.mark.parametrize("provider", ["easypost", "shippo"])
def test_the_kits_label_is_bought_printed_at_the_station_and_its_number_moves_the_case(
    provider: str, api: CarrierApi, settings: Any
) -> None:
    # Given the shop buys labels through the aggregator, and a prepaid-box repair's kit is being packed
    shop_buys_labels(settings, api, provider)
    customer = repair_at("box_to_send")
    case = customer.case

    # When the worker runs
    work()

    # Then the kit's own label was bought too: from the shop to the address given with the order
    if provider == "easypost":
        [_, asked] = api.calls("POST", "/v2/shipments")
        sent = asked.body["shipment"] if asked.body else {}
        origin, destination = sent["from_address"], sent["to_address"]
    else:
        [_, asked] = api.calls("POST", "/shipments/")
        origin, destination = (asked.body or {})["address_from"], (asked.body or {})["address_to"]
    assert (origin["street1"], origin["zip"]) == ("12 Workshop Lane", "BS1 4QT")
    assert (destination["street1"], destination["zip"]) == ("12 Mill Lane", "BS1 4DJ")
    kit = Shipment.objects.get(case=case, leg=Leg.BOX)
    number = nth_number(2)  # the prepaid label in the kit was the first bought
    assert (kit.provider, kit.tracking_number, kit.service_level) == (provider, number, "royal-mail-tracked-48")
    assert kit.label_url.startswith(api.base + "/files/")
    # And it isn't watched before it leaves
    assert kit.silent_after is None
    # And however often the worker runs, nothing more is bought
    work(60)
    assert api.purchases == 2

    # Then the scan station lists it among the labels for parcels being packed
    station = staff().get("/console/scan/").content.decode()
    assert "Labels for parcels being packed" in station
    assert f"<code>{number}</code> ({WEBHOOK_NAMES[provider]})" in station
    assert f'href="/console/scan/label/{case.reference}/"' in station

    # When the shipping team looks the case up at the scan station
    page = look_up(case.reference)
    # Then it shows the bought label, to print, with its number filled in for the dispatch
    assert f"{case.reference}: the repair kit&#x27;s label" in page
    assert f"Bought through {WEBHOOK_NAMES[provider]}" in page
    assert input_value(page, "tracking_number") == number
    assert input_value(page, "code") == case.reference
    printed = staff().get(f"/console/scan/label/{case.reference}/")
    assert printed.status_code == 200
    assert printed["Content-Type"] == "application/pdf"
    assert printed.content == recorded_label()

    # When the kit is dispatched by scanning the printed label's barcode (its tracking number)
    response = dispatch(number.lower())
    # Then the kit is in the post on that parcel: no second parcel, now watched
    assert response.status_code == 302
    assert customer.case.state == "box_in_post"
    [kit] = Shipment.objects.filter(case=case, leg=Leg.BOX)
    assert kit.tracking_number == number
    assert kit.silent_after is not None
    # And the station has nothing more to print for it
    assert "nothing to dispatch" in look_up(case.reference)
    assert "Labels for parcels being packed" not in staff().get("/console/scan/").content.decode()

    # When the carrier says it was delivered (its signed webhook, about that number)
    carrier_delivers(provider, number)
    # Then the journey moves on by the carrier's word
    assert customer.case.state == "awaiting_device"
    kit.refresh_from_db()
    assert kit.status == "delivered"


@pytest.mark.parametrize("provider", ["easypost", "shippo"])
def test_the_label_home_is_bought_while_the_device_is_packed_and_goes_with_it(
    provider: str, api: CarrierApi, settings: Any
) -> None:
    # Given a repaired device being packed for its trip home, the shop buying labels through the provider
    shop_buys_labels(settings, api, provider)
    customer = repair_at("return_to_pack")
    case = customer.case

    # When the worker runs
    work()
    # Then the label home was bought, from the shop to the customer
    home = Shipment.objects.get(case=case, leg=Leg.RETURN)
    assert (home.provider, home.tracking_number) == (provider, nth_number(1))
    if provider == "easypost":
        [asked] = api.calls("POST", "/v2/shipments")
        destination = (asked.body or {})["shipment"]["to_address"]
    else:
        [asked] = api.calls("POST", "/shipments/")
        destination = (asked.body or {})["address_to"]
    assert destination["street1"] == "12 Mill Lane"

    # When the station looks it up and dispatches it by the case reference, nothing typed
    page = look_up(case.reference)
    assert "the label home" in page and input_value(page, "tracking_number") == nth_number(1)
    response = dispatch(case.reference)
    # Then it is on its way home on the bought label
    assert response.status_code == 302
    assert customer.case.state == "return_in_post"
    [home] = Shipment.objects.filter(case=case, leg=Leg.RETURN)
    assert home.tracking_number == nth_number(1)

    # When the carrier delivers it
    carrier_delivers(provider, nth_number(1))
    # Then the device is home and the customer is asked how we did
    assert customer.case.state == "feedback_asked"


def test_another_number_typed_over_a_bought_label_needs_a_reason_then_the_bought_one_is_voided(
    api: CarrierApi, settings: Any
) -> None:
    shop_buys_labels(settings, api, "easypost")
    customer = repair_at("box_to_send")
    case = customer.case
    work()
    bought = nth_number(2)

    # When the kit is dispatched with another label's number and no reason
    response = dispatch(case.reference, tracking_number="RM 555 000 111 GB", carrier="Royal Mail")
    # Then nothing is recorded, and the page says why and what to do, keeping what was typed
    assert response.status_code == 200
    page = response.content.decode()
    assert f"has the repair kit&#x27;s label bought through EasyPost ({bought})" in page
    assert "say why here" in page
    assert input_value(page, "tracking_number") == "RM 555 000 111 GB"
    assert customer.case.state == "box_to_send"

    # When the reason is given
    response = dispatch(
        case.reference,
        tracking_number="RM 555 000 111 GB",
        carrier="Royal Mail",
        label_reason="The label printer jammed; used a counter label",
    )
    # Then the kit goes on the typed number, and the bought label is to be voided through the aggregator
    # (tests/shipping/test_label_voids.py), saying who and why
    assert response.status_code == 302
    assert customer.case.state == "box_in_post"
    [kit] = Shipment.objects.filter(case=case, leg=Leg.BOX).exclude(tracking_number="")
    assert kit.tracking_number == "RM555000111GB"
    void = LabelVoid.objects.get(shipment__case=case)
    assert (void.tracking_number, void.provider, void.status) == (bought, "easypost", "asked")
    assert "The label printer jammed; used a counter label" in void.reason
    # And the set-aside label's number no longer finds the case
    assert "No case or parcel has that code" in look_up(bought)


def test_a_label_still_being_bought_holds_the_dispatch_unless_another_labels_number_is_typed(
    api: CarrierApi, settings: Any
) -> None:
    # Given the aggregator is down while the kit is packed
    shop_buys_labels(settings, api, "easypost")
    api.fail_next = 1000
    customer = repair_at("box_to_send")
    case = customer.case
    work()

    # When the station looks it up
    page = look_up(case.reference)
    # Then it says the label is still being bought, and offers the shop's own label
    assert "Still being bought through EasyPost" in page
    assert input_value(page, "tracking_number") == ""
    printed = staff().get(f"/console/scan/label/{case.reference}/")
    assert printed.status_code == 200 and printed.content.startswith(b"%PDF-")
    assert printed.content != recorded_label()

    # When it is dispatched with nothing typed
    response = dispatch(case.reference)
    # Then it waits, saying what to do
    assert response.status_code == 200
    assert "is still being bought through EasyPost: scan it again in a minute" in response.content.decode()
    assert customer.case.state == "box_to_send"

    # When it goes on the shop's own label, its number typed
    response = dispatch(case.reference, tracking_number="RM777000111GB", carrier="Royal Mail")
    # Then it is dispatched on that number, and the purchase stops: no more tries, no task for the kit's label
    assert response.status_code == 302
    assert customer.case.state == "box_in_post"
    assert Shipment.objects.filter(case=case, leg=Leg.BOX, tracking_number="RM777000111GB").exists()
    kit_tries = len(api.calls("POST", "/v2/shipments"))
    for minutes in (1, 3, 6, 20):
        work(minutes)
    inbound = Shipment.objects.get(case=case, leg=Leg.INBOUND)
    assert len(api.calls("POST", "/v2/shipments")) == kit_tries + 3  # the prepaid label's own retries
    [task] = Task.objects.filter(case=case, source_key__startswith="label-buy:")
    assert task.source_key == f"label-buy:{inbound.pk}"


def test_a_label_the_aggregator_refuses_is_a_task_and_the_shops_own_label(api: CarrierApi, settings: Any) -> None:
    # Given the shop's service level names a service the aggregator doesn't offer
    shop_buys_labels(settings, api, "easypost")
    ServiceLevel.objects.filter(code="royal-mail-tracked-48").update(service="Tracked72")
    customer = repair_at("return_to_pack")
    case = customer.case

    # When the worker tries to buy the label home
    work()

    # Then nothing is bought, and the shipping team has a task saying what to do instead
    assert api.purchases == 0
    home = Shipment.objects.get(case=case, leg=Leg.RETURN)
    task = Task.objects.get(case=case, source_key=f"label-buy:{home.pk}")
    assert task.title == f"{case.reference}: buying the label home through EasyPost was refused"
    assert "Print the shop's own label at the scan station" in task.detail
    # And the station offers the shop's own label, one page from the shop to the customer
    page = look_up(case.reference)
    assert "failed (the shipping team has a task saying why)" in page
    printed = staff().get(f"/console/scan/label/{case.reference}/")
    assert printed.status_code == 200
    assert len(re.findall(rb"/Type /Page\b(?!s)", printed.content)) == 1
    # And the parcel goes with a typed number, no reason asked
    response = dispatch(case.reference, tracking_number="RM888000111GB", carrier="Royal Mail")
    assert response.status_code == 302
    assert customer.case.state == "return_in_post"
    assert Shipment.objects.filter(case=case, leg=Leg.RETURN, tracking_number="RM888000111GB").exists()


def test_the_station_says_when_there_is_nothing_to_print(api: CarrierApi, settings: Any) -> None:
    shop_buys_labels(settings, api, "easypost")
    customer: Customer = repair_at("awaiting_device")
    reference = customer.case.reference
    assert "nothing to dispatch" in look_up(reference)
    assert "No case or parcel has that code" in look_up("TP-NOPE1")
    missing = staff().get(f"/console/scan/label/{reference}/")
    assert missing.status_code == 404
    assert "has no parcel to dispatch at this step" in missing.content.decode()
    unknown = staff().get("/console/scan/label/TP-ZZZZZ/")
    assert unknown.status_code == 404
    assert "No case has the reference TP-ZZZZZ" in unknown.content.decode()


def test_a_parcel_sent_from_the_case_page_keeps_its_bought_label_and_the_next_packing_buys_anew(
    api: CarrierApi, settings: Any
) -> None:
    # Given the label home was bought while the device was packed
    shop_buys_labels(settings, api, "easypost")
    customer = repair_at("return_to_pack")
    case = customer.case
    work()
    # When the shipping team records the dispatch with the case page's button instead of the station
    staff_step(customer, "return_shipped")
    work()
    # Then the bought parcel is no longer being packed, keeps its number, and nothing more is bought
    home = Shipment.objects.get(case=case, leg=Leg.RETURN)
    assert (home.packing, home.tracking_number) == (False, nth_number(1))
    assert api.purchases == 1
    # And its carrier's webhook still moves the case: the label was on the parcel
    carrier_delivers("easypost", nth_number(1))
    assert customer.case.state == "feedback_asked"


def test_a_state_entered_again_while_packing_never_buys_a_second_label(api: CarrierApi, settings: Any) -> None:
    # Given the kit's label was bought, then packing ran late (the journey's timer: box_to_send again)
    shop_buys_labels(settings, api, "easypost")
    customer = repair_at("box_to_send")
    work()
    # When a day passes and the journey's wait limit fires (the worker runs its timer)
    work(25 * 60)
    assert customer.case.state == "box_to_send"
    assert customer.case.timeline.filter(event="box_packing_late").exists()
    # Then the label bought is still the one offered, and nothing more was bought
    assert api.purchases == 2  # the prepaid label in the kit and the kit's own
    assert input_value(look_up(customer.case.reference), "tracking_number") == nth_number(2)
