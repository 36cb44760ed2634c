"""Staff see texts for what they are: the customer's channel and number, their STOP with its date,
each text we sent with what the carrier said of it, and each text they sent."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.console.given import page_url, signed_in
from tests.sms.customers import MOBILE, order_with_phone
from tests.sms.test_receipts import twilio_reports
from tests.sms.twilio_posts import text_from
from tests.support import twilio_server
from tests.support.factories import StaffFactory
from tests.support.twilio_server import TwilioServer
from touchpoint.core.clock import at
from touchpoint.worker.loop import Worker

pytestmark = pytest.mark.django_db
twilio = twilio_server.twilio  # the fixture: a fake Twilio on loopback per test, the settings pointing at it
NOON = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def test_the_case_page_shows_the_channel_the_stop_and_the_texts_both_ways(twilio: TwilioServer) -> None:
    with at(NOON):
        case = order_with_phone()
        Worker(worker_id="w1").run(until_idle=True)
    [sent] = twilio.sent
    twilio_reports(sent, "delivered")
    with at(NOON):
        assert text_from(MOBILE, "Thanks, paying tonight").status_code == 200
        assert text_from(MOBILE, "STOP").status_code == 200

    page = signed_in(StaffFactory(username="cara", teams=["care"])).get(page_url(case)).text

    assert f"<dd>SMS to {MOBILE}</dd>" in page
    assert (
        '<dd><span class="badge">opted out</span> of texts on 7 December 2026 (replied STOP): our messages go by email'
        in page
    )
    assert "Text “" in page and f"” to {MOBILE} · carrier: delivered" in page
    assert '<span class="pill">text message</span> Thanks, paying tonight' in page
    assert f"Opted out of texts (replied STOP from {MOBILE}): messages go by email" in page
