"""``POST /hooks/stripe``: verified with Stripe's signature, applied once, never a 500."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
import stripe
from django.test import Client

from tests.payments.conftest import (
    RECORDED,
    SESSION_ID,
    RecordedStripe,
    open_repair,
    signed,
    start_checkout,
    stripe_event,
    touchpoints,
)
from tests.support.factories import StaffFactory
from touchpoint.cases.models import Case, Task, TaskKind, TimelineEntry, Timer, TimerStatus
from touchpoint.core.clock import now
from touchpoint.flows.payments import offline_payment_record
from touchpoint.payments.models import OfflineMethod, Payment, PaymentEvent, PaymentStatus
from touchpoint.worker.loop import Worker

pytestmark = pytest.mark.usefixtures("mail_in_repair")


def post(client: Client, event: dict[str, Any] | None = None, *, payload: str | None = None, header: str | None = None):  # type: ignore[no-untyped-def]
    if event is not None:
        payload, header = signed(event)
    extra = {"HTTP_STRIPE_SIGNATURE": header} if header is not None else {}
    return client.post("/hooks/stripe", data=payload, content_type="application/json", **extra)


def completed(event_id: str = "evt_paid", session_id: str = SESSION_ID) -> dict[str, Any]:
    return stripe_event("event_checkout_session_completed", event_id=event_id, session_id=session_id)


def expired(event_id: str = "evt_expired", session_id: str = SESSION_ID) -> dict[str, Any]:
    return stripe_event("event_checkout_session_expired", event_id=event_id, session_id=session_id)


def events(case: Case) -> list[str]:
    return list(TimelineEntry.objects.filter(case=case).order_by("seq").values_list("event", flat=True))


def test_a_paid_checkout_moves_the_case_on_and_tells_the_customer(
    client: Client, recorded_stripe: RecordedStripe
) -> None:
    # Given the customer is at Stripe's checkout
    case = open_repair()
    payment = start_checkout(case, recorded_stripe)
    # When Stripe says the session is paid
    response = post(client, completed())
    # Then it is applied: the payment is paid, the case waits for the device, the customer is told
    assert response.status_code == 200
    assert response.json() == {
        "event": "evt_paid",
        "type": "checkout.session.completed",
        "duplicate": False,
        "outcome": "applied",
        "detail": "paid; the case moved on",
    }
    payment.refresh_from_db()
    assert (payment.status, payment.paid_at is not None) == (PaymentStatus.PAID, True)
    case.refresh_from_db()
    assert case.state == "awaiting_device"
    assert events(case) == ["opened", "card_submitted", "payment_succeeded"]
    assert touchpoints(case) == ["order_received", "order_confirmed_send_device"]


def test_the_same_event_three_times_is_applied_once(client: Client, recorded_stripe: RecordedStripe) -> None:
    case = open_repair()
    start_checkout(case, recorded_stripe)
    payload, header = signed(completed())
    # When Stripe delivers the same event three times (its retries, or a replay)
    answers = [post(client, payload=payload, header=header).json() for _ in range(3)]
    # Then the first applies it and the others are recognised as duplicates
    assert [(a["outcome"], a["duplicate"]) for a in answers] == [
        ("applied", False),
        ("applied", True),
        ("applied", True),
    ]
    assert events(Case.objects.get(pk=case.pk)) == ["opened", "card_submitted", "payment_succeeded"]
    assert touchpoints(case) == ["order_received", "order_confirmed_send_device"]
    assert PaymentEvent.objects.count() == 1


@pytest.mark.parametrize(
    ("how", "message"),
    [
        (
            "wrong secret",
            "the Stripe-Signature does not match: STRIPE_WEBHOOK_SECRET must be this endpoint's signing secret",
        ),
        ("stale", "the Stripe-Signature is more than 5 minutes old: a delayed or replayed request is not accepted"),
        ("unsigned", "the Stripe-Signature header is missing: only Stripe's signed events are accepted"),
        ("malformed", "the Stripe-Signature header can't be read: it must look like t=…,v1=…"),
    ],
)
def test_a_forged_stale_or_unsigned_event_is_refused_and_changes_nothing(
    client: Client, recorded_stripe: RecordedStripe, how: str, message: str
) -> None:
    case = open_repair()
    start_checkout(case, recorded_stripe)
    event = completed()
    if how == "wrong secret":
        payload, header = signed(event, secret="whsec_not_ours")
    elif how == "stale":
        payload, header = signed(event, timestamp=int(now().timestamp()) - 3600)
    elif how == "unsigned":
        payload, header = json.dumps(event), None
    else:
        payload, header = json.dumps(event), "garbage"
    response = post(client, payload=payload, header=header)
    assert (response.status_code, response.json()) == (400, {"error": message})
    assert (Case.objects.get(pk=case.pk).state, PaymentEvent.objects.count()) == ("payment_processing", 0)
    assert Payment.objects.get().status == PaymentStatus.PENDING


def test_a_signed_body_that_is_not_json_is_a_clear_400(client: Client, recorded_stripe: RecordedStripe) -> None:
    header = stripe.WebhookSignature.generate_signature_header("{not json", "whsec_test_touchpoint")
    response = post(client, payload="{not json", header=header)
    assert (response.status_code, response.json()) == (400, {"error": "the body is not JSON"})


def test_an_event_for_a_session_we_never_made_is_refused_and_not_recorded(
    client: Client, recorded_stripe: RecordedStripe
) -> None:
    response = post(client, completed(session_id="cs_test_someone_elses"))
    assert response.status_code == 400
    assert response.json() == {"error": "no payment here has the checkout session 'cs_test_someone_elses'"}
    assert PaymentEvent.objects.count() == 0


def test_an_event_type_we_dont_act_on_is_acknowledged_and_recorded(
    client: Client, recorded_stripe: RecordedStripe
) -> None:
    body = json.loads((RECORDED / "event_payment_intent_created.json").read_text())
    response = post(client, body)
    assert (response.status_code, response.json()["outcome"]) == (200, "ignored")
    assert PaymentEvent.objects.get().type == "payment_intent.created"


def test_stripe_switched_off_answers_503(client: Client, settings: Any) -> None:
    settings.TOUCHPOINT_PAYMENT_PROVIDERS = ["offline"]
    response = post(client, payload="{}", header="t=1,v1=x")
    assert response.status_code == 503
    assert response.json() == {
        "error": "Stripe is not configured here: set STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET"
    }


def test_an_abandoned_checkout_says_how_to_try_again_and_reminds_them_once(
    client: Client, recorded_stripe: RecordedStripe
) -> None:
    # Given the customer went to Stripe and closed the tab
    case = open_repair()
    payment = start_checkout(case, recorded_stripe)
    # When the session expires (30 minutes later) and Stripe tells us, three times over
    payload, header = signed(expired())
    answers = [post(client, payload=payload, header=header).json()["outcome"] for _ in range(3)]
    # Then the case is a payment problem a person owns, and the customer hears once how to try again
    assert answers == ["applied", "applied", "applied"]
    payment.refresh_from_db()
    assert (payment.status, payment.problem) == (PaymentStatus.EXPIRED, "the customer left the checkout page")
    case.refresh_from_db()
    assert (case.state, case.owner) == ("payment_failed", "team:intake")
    assert touchpoints(case) == ["order_received", "payment_declined"]
    # And when nobody acts for the wait limit, the order is closed with one last message, not another nudge
    Timer.objects.filter(case=case, status=TimerStatus.PENDING).update(due_at=now() - timedelta(seconds=1))
    Worker(worker_id="w1").run(until_idle=True)
    assert touchpoints(case) == ["order_received", "payment_declined", "order_cancelled_unpaid"]


def test_a_late_expiry_of_an_earlier_attempt_does_not_undo_the_new_one(
    client: Client, recorded_stripe: RecordedStripe
) -> None:
    # Given the first checkout was declined and the customer is paying again in a second session
    case = open_repair()
    start_checkout(case, recorded_stripe, session_id="cs_first")
    post(
        client, stripe_event("event_checkout_session_async_payment_failed", event_id="evt_fail", session_id="cs_first")
    )
    retry = start_checkout(Case.objects.get(pk=case.pk), recorded_stripe, session_id="cs_second")
    assert Case.objects.get(pk=case.pk).state == "payment_retrying"
    # When the first session's expiry arrives late, out of order
    answer = post(client, expired(event_id="evt_late", session_id="cs_first")).json()
    # Then it is recorded, and the second attempt is left to finish
    assert (answer["outcome"], answer["detail"]) == ("recorded", "an earlier attempt; a newer one is under way")
    assert Case.objects.get(pk=case.pk).state == "payment_retrying"
    # And the second session paying moves the case on
    assert post(client, completed(event_id="evt_paid2", session_id="cs_second")).json()["outcome"] == "applied"
    retry.refresh_from_db()
    assert (retry.status, Case.objects.get(pk=case.pk).state) == (PaymentStatus.PAID, "awaiting_device")
    assert touchpoints(case) == ["order_received", "payment_declined", "order_confirmed_send_device"]


def test_a_card_payment_after_an_offline_one_is_recorded_and_a_person_refunds_it(
    client: Client, recorded_stripe: RecordedStripe
) -> None:
    # Given the customer opened a checkout, then paid by bank transfer, which intake recorded
    case = open_repair()
    card = start_checkout(case, recorded_stripe)
    clerk = StaffFactory(username="priya", teams=["intake"])
    # (the journey lets intake record a transfer once the card attempt has failed or expired)
    post(client, expired(event_id="evt_exp"))
    moved = Case.objects.get(pk=case.pk)
    offline_payment_record(
        case=moved,
        seen_version=moved.version,
        staff=clerk,
        amount=card.amount,
        method=OfflineMethod.BANK_TRANSFER,
        reference="BACS TP",
    )
    before = (Case.objects.get(pk=case.pk).version, touchpoints(case))
    # When Stripe reports the card session paid as well (money taken twice)
    answer = post(client, completed(event_id="evt_late_paid")).json()
    # Then nothing moves, the event is kept, and intake has an urgent task to refund one
    assert answer["outcome"] == "needs_person"
    assert answer["detail"] == "paid, but it was already paid (bank transfer, 39.00 GBP): a person refunds or keeps it"
    assert (Case.objects.get(pk=case.pk).version, touchpoints(case)) == before
    task = Task.objects.get(kind=TaskKind.PAYMENT_PROBLEM)
    assert (task.owner, task.priority, task.case_id) == ("team:intake", 1, case.pk)
    assert (
        task.title
        == f"{case.reference}: card payment of 39.00 GBP arrived but it was already paid (bank transfer, 39.00 GBP)"
    )
    # And a replay of it opens no second task
    post(client, completed(event_id="evt_late_paid"))
    assert Task.objects.filter(kind=TaskKind.PAYMENT_PROBLEM).count() == 1


def test_money_settling_after_the_order_was_cancelled_goes_to_a_person(
    client: Client, recorded_stripe: RecordedStripe
) -> None:
    # Given a bank debit was started, then the order was cancelled for want of payment
    case = open_repair()
    payment = start_checkout(case, recorded_stripe)
    unsettled = stripe_event("event_checkout_session_completed", event_id="evt_wait", session_id=SESSION_ID)
    unsettled["data"]["object"]["payment_status"] = "unpaid"
    assert post(client, unsettled).json()["detail"] == "completed; the bank has yet to settle it"
    assert Payment.objects.get().status == PaymentStatus.PROCESSING
    post(client, stripe_event("event_checkout_session_async_payment_failed", event_id="evt_no", session_id=SESSION_ID))
    Timer.objects.filter(case=case, status=TimerStatus.PENDING).update(due_at=now() - timedelta(seconds=1))
    Worker(worker_id="w1").run(until_idle=True)
    assert Case.objects.get(pk=case.pk).state == "cancelled_unpaid"
    before = touchpoints(case)
    # When Stripe later says the money did arrive
    settled = stripe_event("event_checkout_session_async_payment_succeeded", event_id="evt_late", session_id=SESSION_ID)
    answer = post(client, settled).json()
    # Then it is kept as paid, the closed case stays closed and silent, and intake is asked to refund it
    assert (answer["outcome"], answer["detail"]) == (
        "needs_person",
        "paid, but the case is in cancelled_unpaid: a person refunds or keeps it",
    )
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PAID
    assert (Case.objects.get(pk=case.pk).state, touchpoints(case)) == ("cancelled_unpaid", before)
    task = Task.objects.get(kind=TaskKind.PAYMENT_PROBLEM)
    assert task.title == f"{case.reference}: card payment of 39.00 GBP arrived but the case is in cancelled_unpaid"
