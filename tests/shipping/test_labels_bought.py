"""Issue 15, part 4: the prepaid label bought through the aggregator (rates, then buy, for the shop's
service level) by the worker while the kit is packed, attached to the kit's dispatch email, its real
tracking number on the parcel; the shop's own label when no aggregator is configured or buying keeps
failing (then a person is told); never bought twice. The aggregators are a real HTTP server on
loopback answering with recorded responses (tests/shipping/recorded/). SQLite and PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client, override_settings

from tests.portal.story import Customer, acted, crew, repair_at
from tests.support.carrier_api_server import CarrierApi, carrier_api, configure_labels, recorded_label
from tests.support.smtp import SinkHandler, smtp_mailers, smtp_sink
from touchpoint.cases.models import Task
from touchpoint.core.clock import at, now
from touchpoint.outbox.models import MessageStatus, OutboxMessage
from touchpoint.shipping.models import Leg, ServiceLevel, Shipment
from touchpoint.worker.loop import Worker

pytestmark = pytest.mark.django_db
NUMBER = "RM987654321GB"


@pytest.fixture
def sink() -> Iterator[SinkHandler]:
    with smtp_sink() as (handler, port), override_settings(MAILERS=smtp_mailers(port)):
        yield handler


@pytest.fixture
def api() -> Iterator[CarrierApi]:
    with carrier_api() as server:
        yield server


def tracked_48(provider: str) -> ServiceLevel:
    """The service level the shop offers, as a lead adds it in the admin (aggregator names differ)."""
    service = "Tracked48" if provider == "easypost" else "royal_mail_tracked_48"
    return ServiceLevel.objects.create(
        code="royal-mail-tracked-48",
        name="Royal Mail Tracked 48",
        provider=provider,
        carrier="RoyalMail" if provider == "easypost" else "Royal Mail",
        service=service,
        price_minor=450,
        promised_days=2,
        position=1,
    )


def work(minutes: float = 0) -> None:
    """The worker runs until nothing is due, ``minutes`` from now."""
    with at(now() + timedelta(minutes=minutes)):
        Worker(worker_id="w1").run(until_idle=True)


def dispatch_kit(customer: Customer, tracking_number: str = "") -> None:
    """The shipping team scans the packed kit out at the station: on the label bought for it, or with
    ``tracking_number``, the number of the label they printed (the shop's own)."""
    staff = Client()
    staff.force_login(crew())
    typed = {"carrier": "Royal Mail", "tracking_number": tracking_number} if tracking_number else {}
    response = staff.post("/console/scan/", {"code": customer.case.reference, "action": "dispatched", **typed})
    assert response.status_code == 302
    assert customer.case.state == "box_in_post"


def kit_email_pdf(sink: SinkHandler, reference: str) -> bytes:
    [mail] = [m for m in sink.received if m.message.get_content_type() == "multipart/mixed"]
    [pdf] = list(mail.message.iter_attachments())
    assert pdf.get_filename() == f"{reference}-prepaid-label.pdf"
    assert pdf.get_content_type() == "application/pdf"
    data: bytes = pdf.get_content()
    return data


@pytest.mark.parametrize("provider", ["easypost", "shippo"])
def test_the_label_bought_goes_with_the_kit_and_its_number_follows_the_device_in(
    provider: str, api: CarrierApi, sink: SinkHandler, settings: Any
) -> None:
    # Given the shop buys its labels through the aggregator, and offers Royal Mail Tracked 48
    configure_labels(settings, api, labels=provider)
    tracked_48(provider)
    # And a prepaid-box repair was ordered and paid: its kit is being packed
    customer = repair_at("box_to_send")
    case = customer.case

    # When the worker runs
    work()

    # Then it asked for rates and bought the Tracked 48 one, once for this parcel (and once for the kit's
    # own parcel out, tests/shipping/test_labels_outbound.py)
    if provider == "easypost":
        [created, _kit] = api.calls("POST", "/v2/shipments")
        sent = created.body["shipment"] if created.body else {}
        assert sent["reference"].startswith(f"touchpoint-{case.reference}-")
        assert (sent["from_address"]["street1"], sent["from_address"]["zip"]) == ("12 Mill Lane", "BS1 4DJ")
        assert (sent["to_address"]["street1"], sent["to_address"]["zip"]) == ("12 Workshop Lane", "BS1 4QT")
        [buy, _kit] = [seen for seen in api.requests if seen.path.endswith("/buy")]
        assert buy.body == {"rate": {"id": "rate_5b1a0c9d8e7f4a3b2c1d0e9f8a7b6c5d"}}
    else:
        [created, _kit] = api.calls("POST", "/shipments/")
        assert created.body and created.body["async"] is False
        [buy, _kit] = api.calls("POST", "/transactions/")
        assert buy.body and (buy.body["rate"], buy.body["label_file_type"]) == (
            "ec9f0d3adc9441449c85d315f0997fd5",
            "PDF",
        )
    assert api.purchases == 2
    # And the device's parcel home to us carries the real tracking number and what it cost
    parcel = Shipment.objects.get(case=case, leg=Leg.INBOUND)
    assert (parcel.provider, parcel.tracking_number, parcel.service_level) == (
        provider,
        NUMBER,
        "royal-mail-tracked-48",
    )
    assert parcel.carrier in {"RoyalMail", "Royal Mail"}
    assert parcel.postage_minor == 320
    assert parcel.provider_shipment_id in {"shp_8f2c1d0e9b7a4c3d5e6f7a8b9c0d1e2f", "5e40ead7cffe4cc1ad45108696162e42"}
    assert parcel.label_url.startswith(api.base + "/files/")
    assert parcel.tracking_url.startswith("https://")
    assert parcel.expected_by is not None and parcel.expected_by > now()
    assert parcel.origin_area == "BS"

    # When the kit is dispatched at the scan station and the worker sends its email
    dispatch_kit(customer)
    work()

    # Then the email carries the label file the aggregator made, byte for byte
    assert kit_email_pdf(sink, case.reference) == recorded_label()
    assert OutboxMessage.objects.get(case=case, touchpoint="box_on_its_way").status == MessageStatus.SENT
    # And nothing more was bought
    assert api.purchases == 2

    # When the kit arrives and the customer says the device is in the post (their case page)
    acted(customer, "box_delivered")
    acted(customer, "device_posted")
    # Then the label's tracking number is on the customer's page and in the console
    assert NUMBER in customer.page()
    staff = Client()
    staff.force_login(crew())
    assert NUMBER in staff.get(f"/console/cases/{case.reference}/").content.decode()
    # And intake can scan the parcel by the label's number when it arrives
    scanned = staff.post("/console/scan/", {"code": NUMBER.lower(), "action": "arrived"})
    assert scanned.status_code == 302
    assert customer.case.state == "resting"


def test_with_no_aggregator_the_shop_prints_its_own_label(api: CarrierApi, sink: SinkHandler, settings: Any) -> None:
    # Given no aggregator buys labels (the keys set, the choice left blank)
    configure_labels(settings, api, labels="")
    customer = repair_at("box_to_send")
    work()
    dispatch_kit(customer, "RM1")

    # When the worker sends the kit's email
    work()

    # Then it carries the shop's own two-page label, and the aggregator was never asked
    pdf = kit_email_pdf(sink, customer.case.reference)
    assert pdf.startswith(b"%PDF-1.") and pdf != recorded_label()
    assert len(re.findall(rb"/Type /Page\b(?!s)", pdf)) == 2
    assert api.requests == []
    assert not Shipment.objects.filter(case=customer.case, leg=Leg.INBOUND).exists()


def test_the_aggregator_down_is_retried_then_a_person_is_told_and_the_shops_label_goes(
    api: CarrierApi, sink: SinkHandler, settings: Any
) -> None:
    # Given the aggregator answers every request with 503
    configure_labels(settings, api, labels="easypost")
    tracked_48("easypost")
    api.fail_next = 1000
    customer = repair_at("box_to_send")
    case = customer.case

    # When the worker tries (the prepaid label and the kit's own), and the kit is dispatched meanwhile on
    # the shop's own label, whose number is typed (its purchase then stops)
    work()
    assert len(api.calls("POST", "/v2/shipments")) == 2
    dispatch_kit(customer, "RM1")
    work()
    # Then the kit's email waits for the label (tried again later), and nobody is bothered yet
    message = OutboxMessage.objects.get(case=case, touchpoint="box_on_its_way")
    assert (message.status, message.attempts) == (MessageStatus.PENDING, 1)
    assert "still being bought through EasyPost" in message.last_error
    assert not Task.objects.filter(case=case, source_key__startswith="label-buy:").exists()

    # When the worker keeps trying with backoff (30 s, 1 min, 2 min apart)
    for minutes in (1, 3, 6):
        work(minutes)

    # Then after four tries the shipping team has a task saying what failed and what happens instead
    assert len(api.calls("POST", "/v2/shipments")) == 4 + 1
    task = Task.objects.get(case=case, source_key__startswith="label-buy:")
    assert task.owner == "team:shipping"
    assert task.title == f"{case.reference}: buying the prepaid label through EasyPost failed 4 times"
    assert "easypost answered 503" in task.detail
    assert "the shop's own printed label" in task.detail
    parcel = Shipment.objects.get(case=case, leg=Leg.INBOUND)
    assert (parcel.provider, parcel.tracking_number, parcel.next_poll_at) == ("", "", None)
    # And the kit's email goes with the shop's own label, nothing bought
    work(20)
    assert OutboxMessage.objects.get(pk=message.pk).status == MessageStatus.SENT
    pdf = kit_email_pdf(sink, case.reference)
    assert len(re.findall(rb"/Type /Page\b(?!s)", pdf)) == 2
    assert api.purchases == 0
    # And no more tries are made
    work(60)
    assert len(api.calls("POST", "/v2/shipments")) == 4 + 1


@pytest.mark.parametrize("provider", ["easypost", "shippo"])
def test_a_purchase_whose_answer_was_lost_is_found_not_bought_again(
    provider: str, api: CarrierApi, sink: SinkHandler, settings: Any
) -> None:
    # Given the aggregator buys the label but its answer is lost (a 500 after the purchase)
    configure_labels(settings, api, labels=provider)
    tracked_48(provider)
    api.lose_next_buy = True
    customer = repair_at("box_to_send")

    # When the worker tries, then tries again after its backoff (the kit's own label bought meanwhile)
    work()
    assert api.purchases == 2
    assert Shipment.objects.get(case=customer.case, leg=Leg.INBOUND).tracking_number == ""
    work(1)

    # Then the second try finds the label bought and keeps it: one purchase, the real number
    assert api.purchases == 2
    parcel = Shipment.objects.get(case=customer.case, leg=Leg.INBOUND)
    assert (parcel.tracking_number, parcel.poll_failures) == (NUMBER, 0)
    assert parcel.label_url.startswith(api.base + "/files/")
    assert not Task.objects.filter(case=customer.case).filter(source_key__startswith="label-buy:").exists()
    # And however often the worker runs, nothing more is bought
    work(60)
    assert api.purchases == 2
    assert Shipment.objects.filter(case=customer.case, leg=Leg.INBOUND).count() == 1


def test_a_service_level_the_aggregator_does_not_offer_goes_to_a_person_at_once(
    api: CarrierApi, sink: SinkHandler, settings: Any
) -> None:
    # Given the shop's service level names a service the aggregator has no rate for
    configure_labels(settings, api, labels="easypost")
    level = tracked_48("easypost")
    level.service = "Tracked72"
    level.save()
    customer = repair_at("box_to_send")

    # When the worker tries to buy the label
    work()

    # Then nothing is bought, and the task says what to check (one for each label: the kit's own too)
    assert api.purchases == 0
    parcel = Shipment.objects.get(case=customer.case, leg=Leg.INBOUND)
    task = Task.objects.get(case=customer.case, source_key=f"label-buy:{parcel.pk}")
    assert "was refused" in task.title
    assert "no rate for the service level royal-mail-tracked-48 (RoyalMail Tracked72)" in task.detail
    assert "RoyalMail Tracked48" in task.detail
    work(10)
    assert len(api.calls("POST", "/v2/shipments")) == 2


def test_aftership_is_refused_as_the_label_buyer_at_start_up_saying_why(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    from django.core.exceptions import ImproperlyConfigured

    from touchpoint.settings import carriers

    monkeypatch.setenv("TOUCHPOINT_CARRIER_LABELS", "aftership")
    with pytest.raises(ImproperlyConfigured, match=r"through easypost or shippo \(AfterShip sells none\)"):
        importlib.reload(carriers)
    monkeypatch.setenv("TOUCHPOINT_CARRIER_LABELS", "")
    monkeypatch.setenv("TOUCHPOINT_CARRIER_POLL", "shippo, fedex")
    with pytest.raises(ImproperlyConfigured, match="TOUCHPOINT_CARRIER_POLL names fedex"):
        importlib.reload(carriers)
    monkeypatch.delenv("TOUCHPOINT_CARRIER_POLL")
    importlib.reload(carriers)
    assert (carriers.TOUCHPOINT_CARRIER_LABELS, carriers.TOUCHPOINT_CARRIER_POLL) == ("", [])
