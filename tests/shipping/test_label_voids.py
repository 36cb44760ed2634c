"""Issue 15: a label bought through the aggregator and set aside at the scan station (another label went
on the parcel) is voided through the aggregator's API by the worker (EasyPost ``POST
/v2/shipments/{id}/refund``, Shippo ``POST /refunds/``), its outcome shown where the console lists the
case's parcels; a refusal, or an aggregator that keeps failing, is the shipping team's task to void it
by hand, with what the aggregator said. The aggregators are a real HTTP server on loopback answering
with the recorded refunds in tests/support/carriers/<provider>/. SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest

from tests.portal.story import Customer, repair_at
from tests.shipping import test_labels_outbound
from tests.shipping.test_labels_bought import work
from tests.shipping.test_labels_outbound import dispatch, shop_buys_labels, staff
from tests.support.carrier_api_server import CarrierApi, nth_number
from touchpoint.cases.models import Task

pytestmark = pytest.mark.django_db
api = test_labels_outbound.api  # its fixture: the loopback aggregators
REFUND_PATHS = {"easypost": "/v2/shipments/{}/refund", "shippo": "/refunds/"}


def kit_sent_on_another_label(provider: str, api: CarrierApi, settings: Any) -> Customer:
    """The kit's label was bought through ``provider``; the shipping team sent the kit on a counter label."""
    shop_buys_labels(settings, api, provider)
    customer = repair_at("box_to_send")
    work()
    response = dispatch(
        customer.case.reference,
        tracking_number="RM555000111GB",
        carrier="Royal Mail",
        label_reason="The label printer jammed",
    )
    assert response.status_code == 302
    assert customer.case.state == "box_in_post"
    return customer


def parcels_panel(customer: Customer) -> str:
    html = staff().get(f"/console/cases/{customer.case.reference}/").content.decode()
    start = html.index('<section class="panel parcels"')
    return html[start : html.index("</section>", start)]


def refunds_asked(api: CarrierApi, provider: str) -> int:
    return len([s for s in api.requests if s.method == "POST" and s.path.endswith(("/refund", "/refunds/"))])


def test_a_label_set_aside_is_voided_through_easypost_and_the_console_says_so(api: CarrierApi, settings: Any) -> None:
    customer = kit_sent_on_another_label("easypost", api, settings)
    bought = nth_number(2)  # the kit's label (the prepaid label in the kit was bought first)
    # Then the console lists the label set aside with its void asked, and nobody has a task for it
    panel = parcels_panel(customer)
    assert f'Label <strong class="tracking-number">{bought}</strong> bought through EasyPost' in panel
    assert "not used: void asked" in panel
    assert not Task.objects.filter(case=customer.case, source_key__startswith="label-void:").exists()

    # When the worker runs: EasyPost is asked to refund that shipment, and answers "submitted"
    work()
    [asked] = [s for s in api.requests if s.method == "POST" and s.path.endswith("/refund")]
    kit_shipment = [sid for sid, b in api.bought.items() if b["tracking_code"] == bought]
    assert asked.path == REFUND_PATHS["easypost"].format(kit_shipment[0])
    assert "void submitted, the carrier deciding (EasyPost said: submitted)" in parcels_panel(customer)
    # And running again before its check is due asks nothing more
    work(60)
    assert refunds_asked(api, "easypost") == 1

    # When the carrier has refunded it and the worker reads the shipment back six hours on
    api.refund_status = "refunded"
    work(6 * 60 + 1)
    # Then the console says the postage comes back; nothing more is asked, no task
    assert "voided: the postage comes back (EasyPost said: refunded)" in parcels_panel(customer)
    reads = len(api.calls("GET", f"/v2/shipments/{kit_shipment[0]}"))
    work(24 * 60)
    assert len(api.calls("GET", f"/v2/shipments/{kit_shipment[0]}")) == reads
    assert refunds_asked(api, "easypost") == 1
    assert not Task.objects.filter(case=customer.case, source_key__startswith="label-void:").exists()


def test_a_void_shippo_refuses_is_the_shipping_teams_task_with_its_answer(api: CarrierApi, settings: Any) -> None:
    # Given Shippo refuses refunds
    api.refund_status = "ERROR"
    customer = kit_sent_on_another_label("shippo", api, settings)
    # When the worker asks it to void the kit's label (its transaction)
    work()
    [asked] = [s for s in api.requests if s.method == "POST" and s.path == "/refunds/"]
    assert asked.body is not None and asked.body["async"] is False
    assert asked.body["transaction"].startswith("70ae8117ee1749e393f249d5b77c45e0")
    # Then the shipping team has the old task to void it by hand, with Shippo's answer
    case = customer.case
    task = Task.objects.get(case=case, source_key__startswith="label-void:")
    assert task.owner == "team:shipping"
    assert task.title == f"{case.reference}: void the unused label {nth_number(2)} at Shippo"
    assert "The label printer jammed" in task.detail
    assert "Void (refund) it in the Shippo dashboard" in task.detail
    assert task.detail.endswith("Asked to void it, Shippo answered: ERROR")
    assert "void refused (Shippo said: ERROR)" in parcels_panel(customer)
    # And it is never asked again
    work(24 * 60)
    assert refunds_asked(api, "shippo") == 1


def test_an_aggregator_down_is_tried_four_times_then_a_task(api: CarrierApi, settings: Any) -> None:
    customer = kit_sent_on_another_label("easypost", api, settings)
    # Given EasyPost answers every request with 503
    api.fail_next = 1000
    # When the worker tries at once and again with backoff (30 s, 1 min, 2 min apart)
    for minutes in (0, 1, 2, 4):
        work(minutes)
    # Then after the fourth failure the shipping team has the task, with the last answer
    assert refunds_asked(api, "easypost") == 4
    task = Task.objects.get(case=customer.case, source_key__startswith="label-void:")
    assert "Asked to void it, EasyPost answered: easypost answered 503" in task.detail
    assert "void not done: a task for the shipping team" in parcels_panel(customer)
    work(60)
    assert refunds_asked(api, "easypost") == 4
