"""The whole mail-in repair as its customer lives it, on a phone in Debian's Chromium: order in one
go with a prepaid box, pay by card (Stripe's page stood in for at the internet's edge, its webhook
signed by the library), download the label, the device arrives, the extra work is approved, the
repair, the trip home, and feedback; and a second run where the extra work is declined.

Staff steps go through the same services the console and the scan station call; the customer's
steps are clicks, including the ones a carrier could report ("My repair kit has arrived", "It's
home"). Screenshots of every page land in var/test-artifacts/screenshots/."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest

from tests.payments.conftest import RecordedStripe, install_recorded_stripe, stripe_event
from tests.portal.test_intake_service import shop  # noqa: F401 - the fixture
from tests.portal.test_pay_browser import stand_in_for_stripe, stripe_sends
from tests.quotes.repair import crew
from tests.support.browser import BrowserPage
from touchpoint.cases.actors import staff_actor
from touchpoint.cases.models import Case
from touchpoint.feedback.models import Feedback
from touchpoint.flows.advance import case_advance
from touchpoint.flows.payments import offline_payment_record
from touchpoint.flows.quotes import LineInput, quote_propose
from touchpoint.outbox.models import OutboxMessage
from touchpoint.payments.models import OfflineMethod, Payment
from touchpoint.shipping.services import scan_record

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("shop")]


@pytest.fixture
def stripe_on(settings: Any, monkeypatch: pytest.MonkeyPatch) -> RecordedStripe:
    from django.utils.csp import CSP

    wire = install_recorded_stripe(settings, monkeypatch)
    settings.SECURE_CSP = {**settings.SECURE_CSP, "form-action": [CSP.SELF, "https://checkout.stripe.com"]}
    return wire


def heading(phone: BrowserPage) -> str:
    return str(phone.page.get_by_role("heading", level=1).inner_text())


def see(phone: BrowserPage, label: str) -> None:
    """Reload the case page, as the customer would from the link in the latest email, and keep a shot."""
    phone.page.reload()
    phone.check_a11y()
    phone.shot(label)


def case_now(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


def order_and_pay(phone: BrowserPage, live_server: Any, stripe: RecordedStripe) -> tuple[Case, str]:
    p = phone.page
    phone.goto("/repair/")
    phone.check_a11y()
    phone.shot("order form")
    p.get_by_label("Search by name").fill("nano")
    p.get_by_label("Nano Player 4G").check()
    p.get_by_label("Not sure what's wrong").check()
    p.get_by_label("Your name").fill("Maya Okafor")
    p.get_by_label("Email address").fill("maya@example.com")
    p.get_by_label("Address line 1").fill("12 Mill Lane")
    p.get_by_label("Town or city").fill("Bristol")
    p.get_by_label("Postcode").fill("BS1 4DJ")
    p.get_by_label("Send me a prepaid box").check()
    p.get_by_role("button", name="Place my order").click()
    p.wait_for_url(re.compile(r"/c/[A-Za-z0-9_-]{43}/$"))
    token = p.url.rstrip("/").rsplit("/", 1)[-1]
    case = Case.objects.get()
    assert case.data["prepaid_box"] is True and case.data["problem"] == "not_sure"
    phone.check_a11y()
    phone.shot("order placed")
    # Pay by card: Stripe's page is the internet's edge, then its signed webhook arrives.
    stand_in_for_stripe(phone, f"{live_server.url}/c/{token}/?payment=cancelled")
    stripe.reply("checkout_session_created")
    p.get_by_role("button", name="Pay by card").click()
    p.get_by_role("heading", name="Stripe Checkout (stand-in)").wait_for()
    session = Payment.objects.get().provider_ref
    answer = stripe_sends(
        live_server, stripe_event("event_checkout_session_completed", event_id="evt_1", session_id=session)
    )
    assert answer["outcome"] == "applied"
    phone.goto(f"/c/{token}/?payment=done")
    p.get_by_text("Paid £29.00 by card on").wait_for()
    phone.check_a11y()
    phone.shot("paid")
    assert case_now(case).state == "box_to_send"
    return case, token


def box_travels_and_device_arrives(phone: BrowserPage, case: Case) -> Case:
    staff = crew()
    result = scan_record(
        code=case.reference, action="dispatched", user=staff, carrier="Royal Mail", tracking_number="RM123456785GB"
    )
    assert result.outcome == "recorded"
    see(phone, "repair kit in the post")
    assert heading(phone) == "Your repair kit is in the post"
    with phone.page.expect_download() as download:
        phone.page.get_by_role("link", name="Download the label and packing instructions (PDF)").click()
    assert download.value.suggested_filename == f"{case.reference}-prepaid-label.pdf"
    click(phone, "My repair kit has arrived", "Waiting for your device")
    click(phone, "I've posted my device", "Your device is on its way to us")
    assert scan_record(code=case.reference, action="arrived", user=staff).outcome == "recorded"
    see(phone, "resting before surgery")
    assert heading(phone) == "Resting before surgery"
    case = case_advance(case=case_now(case), event="surgery_started", actor=staff_actor(staff)).case
    battery = LineInput(
        "New battery", "It holds less than half its charge: why it dies by lunchtime.", Decimal("39.00")
    )
    return quote_propose(case=case, version=case.version, by=staff, lines=[battery]).case


def click(phone: BrowserPage, button: str, then: str, *, confirm: str = "") -> None:
    """The customer takes a step from their page's actions (confirming it in the dialog when asked)."""
    phone.page.locator("#actions").get_by_role("button", name=button).click()
    if confirm:
        phone.page.get_by_role("dialog").get_by_role("button", name=confirm).click()
    phone.page.get_by_role("heading", level=1, name=then).wait_for()
    phone.check_a11y()
    phone.shot(then)


def home_again(phone: BrowserPage, case: Case, *, repaired: bool) -> Case:
    case = case_advance(case=case_now(case), event="return_shipped", actor=staff_actor(crew())).case
    see(phone, "on its way home")
    if repaired:
        click(phone, "It's home", "Back home")
    else:  # ending the case unrepaired can't be undone: asked first
        click(phone, "It's home", "Back home, unrepaired", confirm="Yes, it's home")
    return case_now(case)


def test_a_customer_orders_pays_approves_extra_work_and_gives_feedback(
    phone: BrowserPage, live_server: Any, stripe_on: RecordedStripe
) -> None:
    case, _token = order_and_pay(phone, live_server, stripe_on)
    case = box_travels_and_device_arrives(phone, case)
    see(phone, "extra work needs your ok")
    assert heading(phone) == "Waiting for your OK on the extra work"
    phone.page.get_by_role("button", name="Approve £39.00").click()
    phone.page.get_by_role("dialog", name="Approve the extra work for £39.00?").get_by_role(
        "button", name="Yes, approve £39.00"
    ).click()
    phone.page.get_by_role("heading", level=1, name="Being repaired").wait_for()
    phone.shot("approved")
    staff = staff_actor(crew())
    case = case_advance(case=case_now(case), event="repair_done", actor=staff).case
    case = case_advance(case=case, event="qc_passed", actor=staff).case
    see(phone, "the balance for the extra work is due")
    assert heading(phone) == "Ready to come home, once the balance is paid"
    # The balance paid by bank transfer, recorded by intake on the console's payments panel
    offline_payment_record(
        case=case,
        seen_version=case.version,
        staff=crew(),
        amount=Decimal("39.00"),
        method=OfflineMethod.BANK_TRANSFER,
        reference="BACS 0043",
    )
    case = home_again(phone, case, repaired=True)
    phone.shot("home: how did we do")
    phone.page.get_by_role("group", name="How did we do?").get_by_role("radio", name="5 – Very happy").check()
    phone.page.get_by_label("Tell us more").fill("Kept me posted all the way. Battery lasts all day again.")
    phone.page.get_by_label("You may publish this on our reviews page").check()
    phone.page.get_by_role("button", name="Send feedback").click()
    phone.page.get_by_role("heading", level=1, name="All done").wait_for()
    phone.check_a11y()
    phone.shot("all done")
    case = case_now(case)
    assert (case.state, case.outcome) == ("completed", "success")
    assert Feedback.objects.get(case=case).csat == 5
    sent = list(
        OutboxMessage.objects.filter(case=case).order_by("created_at", "pk").values_list("touchpoint", flat=True)
    )
    assert [key for key in sent if key] == [
        "order_received",
        "order_confirmed_box_coming",
        "box_on_its_way",
        "box_delivered",
        "device_on_its_way",
        "arrived_resting",
        "needs_your_ok",
        "extra_work_authorised",
        "ready_balance_due",
        "balance_received",
        "on_the_way_home",
        "home_safe",
        "thanks_for_feedback",
    ]
    # The timeline on the page tells the story in plain words, newest first.
    phone.goto(f"/c/{_token}/")
    page_text = phone.page.inner_text("main")
    assert "Resting before surgery" in page_text and "staff_note" not in page_text


def test_a_customer_declines_the_extra_work_and_gets_the_device_back_unrepaired(
    phone: BrowserPage, live_server: Any, stripe_on: RecordedStripe
) -> None:
    case, _token = order_and_pay(phone, live_server, stripe_on)
    case = box_travels_and_device_arrives(phone, case)
    see(phone, "extra work needs your ok")
    phone.page.get_by_role("button", name="Decline").click()
    phone.page.get_by_role("dialog", name="Decline the extra work?").get_by_role("button", name="Yes, decline").click()
    phone.page.get_by_role("heading", level=1, name="You declined the extra work").wait_for()
    phone.check_a11y()
    phone.shot("declined")
    case = case_advance(case=case_now(case), event="return_unrepaired", actor=staff_actor(crew())).case
    case = home_again(phone, case, repaired=False)
    assert (case.state, case.outcome) == ("returned_unrepaired", "failure")
    sent = [
        key
        for key in OutboxMessage.objects.filter(case=case)
        .order_by("created_at", "pk")
        .values_list("touchpoint", flat=True)
        if key
    ]
    assert sent[-4:] == ["quote_declined_noted", "returning_unrepaired", "on_the_way_home", "back_home_unrepaired"]
