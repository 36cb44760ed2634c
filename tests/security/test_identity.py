"""An order proves nobody's identity. Someone who orders with a known customer's email address gets
a case (its messages go to that address), but nothing we hold about that customer: not on the case's
pages, not pre-filled in its forms, not in what the page shows of its messages. And the order
changes nothing we hold about them. Everything goes through the customer's pages (issue 13, item 1).
"""

from __future__ import annotations

import re
import time
from html import unescape
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.inbox.mails import mail
from tests.portal.story import repair_at, repair_order, report_problem
from touchpoint.api.signing import signature_for
from touchpoint.customers.models import Customer
from touchpoint.inbox.models import InboundMessage
from touchpoint.outbox.models import OutboxMessage

pytestmark = pytest.mark.django_db

OWNER = {
    "name": "Ian Kearns",
    "email": "ian@example.com",
    "phone": "07700 900111",
    "address_line1": "1 Park Row",
    "address_line2": "Flat 4",
    "town": "Leeds",
    "postcode": "LS1 5AB",
}
STRANGER = {
    "name": "Eve Mallory",
    "email": "Ian@Example.com ",  # the owner's address, typed a little differently
    "phone": "",
    "address_line1": "9 Elm Street",
    "address_line2": "",
    "town": "York",
    "postcode": "YO1 7HH",
}
SECRET = "whsec-test-identity-0123456789"
# What the owner told us and a stranger must not see anywhere on their case.
SECRETS = ["07700 900111", "900111", "Ian", "Kearns", "Park Row", "Flat 4", "Leeds", "LS1 5AB"]


def shown(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return unescape(response.content.decode())


def leaked(html: str) -> list[str]:
    return [secret for secret in SECRETS if secret in html]


def field_value(html: str, name: str) -> str:
    found = re.search(rf'<(?:input|textarea)[^>]*name="{name}"[^>]*>', html)
    assert found is not None, f"no field {name}"
    value = re.search(r'value="([^"]*)"', found.group(0))
    return value.group(1) if value else ""


def record(email: str = "ian@example.com") -> tuple[str, ...]:
    c = Customer.objects.get(email=email)
    return (c.name, c.phone, c.address_line1, c.address_line2, c.town, c.postcode, c.preferred_channel)


def test_a_strangers_order_with_a_known_email_shows_nothing_of_that_customer() -> None:
    repair_order(**OWNER)
    before = record()

    eve = repair_order(**STRANGER)

    case_page = shown(eve.client, eve.url)
    person_page = shown(eve.client, reverse("portal:ask_person", args=[eve.token]))
    assert field_value(person_page, "phone") == ""  # was the owner's number
    assert leaked(case_page) == [] and leaked(person_page) == []
    assert eve.case.customer.email == "ian@example.com"  # the case is the address's: its mail goes there
    assert record() == before  # and the order changed nothing we hold


def test_a_strangers_order_fills_in_nothing_we_didnt_have() -> None:
    # The owner reported a problem once: we hold their name and email, no phone and no address.
    report_problem(name="Ian Kearns", email="ian@example.com")
    before = record()
    assert before[1:6] == ("+447700900123", "", "", "", "")

    repair_order(**{**STRANGER, "phone": "07700 900666", "channel": "sms"})

    assert record() == before


def test_the_person_page_offers_the_number_given_with_this_cases_own_order() -> None:
    repair_order(**OWNER)

    eve = repair_order(**{**STRANGER, "phone": "07700 900666"})

    person_page = shown(eve.client, reverse("portal:ask_person", args=[eve.token]))
    assert field_value(person_page, "phone") == "+447700900666"


def test_asking_for_a_person_greets_the_name_given_with_the_order() -> None:
    repair_order(**OWNER)
    eve = repair_order(**STRANGER)
    person_url = reverse("portal:ask_person", args=[eve.token])
    nonce = field_value(shown(eve.client, person_url), "nonce")

    asked = eve.client.post(person_url, {"need": "Call me", "reach_by": "email", "phone": "", "nonce": nonce})

    assert asked.status_code == 302
    [notice] = OutboxMessage.objects.filter(case=eve.case, touchpoint="")
    assert notice.body_text.startswith("Hello Eve,")  # it said "Hello Ian," and the page showed it
    assert leaked(shown(eve.client, eve.url)) == []


def test_feedback_is_prefilled_with_the_name_and_town_given_with_the_order() -> None:
    repair_order(**OWNER)

    eve = repair_at("feedback_asked", **STRANGER)

    page = shown(eve.client, eve.url)
    assert (field_value(page, "display_name"), field_value(page, "town")) == ("Eve", "York")
    assert leaked(page) == []


def test_the_owners_own_case_still_shows_what_they_gave() -> None:
    repair_order(**{**STRANGER, "email": "ian@example.com"})  # a stranger got there first

    ian = repair_order(**OWNER)

    person_page = shown(ian.client, reverse("portal:ask_person", args=[ian.token]))
    assert field_value(person_page, "phone") == "+447700900111"
    assert "Eve" not in person_page and "Mallory" not in person_page


def test_the_customers_email_about_a_strangers_order_stays_off_the_strangers_page(settings: Any) -> None:
    settings.TOUCHPOINT_INBOUND_WEBHOOK_SECRET = SECRET
    repair_order(**OWNER)
    eve = repair_order(**STRANGER)
    [told] = OutboxMessage.objects.filter(case=eve.case, touchpoint="order_received")
    # The customer answers the email about an order they never placed, signing it as people do.
    words = "I never ordered this. Ian Kearns, 1 Park Row, Leeds, 07700 900111"
    raw = mail(sender="Ian Kearns <ian@example.com>", to=told.headers["Reply-To"], subject=told.subject, body=words)
    assert webhook_post(raw).status_code == 200

    strangers_page = shown(eve.client, eve.url)
    assert words not in strangers_page and leaked(strangers_page) == []
    assert "by email" in strangers_page  # the page says there is one, not what it says

    # The link in the customer's own email shows them everything, their words included.
    link = re.search(r"/c/[A-Za-z0-9_-]{43}/", told.body_text)
    assert link is not None
    assert words in shown(Client(), link.group(0))


def webhook_post(raw: bytes) -> Any:
    """The mail provider's signed inbound webhook, as ``tests/inbox/test_proof.py`` posts it."""
    stamp = str(int(time.time()))
    return Client().post(
        "/hooks/email",
        data=raw,
        content_type="message/rfc822",
        headers={
            "X-Touchpoint-Timestamp": stamp,
            "X-Touchpoint-Signature": signature_for(secret=SECRET, timestamp=stamp, body=raw),
        },
    )


def test_staff_see_a_message_written_on_a_strangers_page_as_from_the_name_given_with_the_order() -> None:
    repair_order(**OWNER)
    eve = repair_order(**STRANGER)
    page = shown(eve.client, eve.url)
    nonce = re.search(r'name="nonce" value="([0-9a-f]{32})"', page)  # the message form's
    assert nonce is not None

    sent = eve.client.post(
        reverse("portal:message_send", args=[eve.token]), {"text": "Where is it?", "nonce": nonce.group(1)}
    )

    assert sent.status_code == 302
    message = InboundMessage.objects.get(case=eve.case)
    assert (message.from_name, message.from_email) == ("Eve Mallory", "ian@example.com")
