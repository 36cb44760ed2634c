"""The customer switches between email and texts on their case page (issue 17, part 7b): a plain
form (no JavaScript), CSRF-protected, rate-limited, on the timeline, and every later touch point
follows the choice."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.utils.html import escape

from tests.sms.customers import order_with_phone
from tests.support.pages import Page
from tests.support.timers import time_runs_out
from touchpoint.cases.models import Case, TimelineEntry
from touchpoint.core.clock import at, now
from touchpoint.customers.models import Customer
from touchpoint.links.services import link_for_form, link_token
from touchpoint.outbox.models import OutboxMessage

pytestmark = pytest.mark.django_db


def reach_form(client: Client, token: str) -> tuple[Page, Any]:
    page = Page.parse(client.get(f"/c/{token}/").content.decode(), url=f"http://testserver/c/{token}/")
    [form] = [f for f in page.forms if f.action.endswith("/reach/")]
    return page, form


def choose(client: Client, token: str, **fill: str) -> Any:
    _, form = reach_form(client, token)
    method, address, data = form.submission(fill=fill)
    assert method == "post"
    return client.post(urlsplit(address).path, data)


def latest_touch_point(case: Case) -> OutboxMessage:
    message = OutboxMessage.objects.filter(case=case).exclude(touchpoint="").order_by("-pk").first()
    assert message is not None
    return message


def test_a_customer_switches_to_texts_and_the_next_touch_point_is_a_text() -> None:
    case = order_with_phone(channel="email", phone="")
    client = Client()
    token = link_token(case=case)  # the link in our email to them
    page, form = reach_form(client, token)
    assert "We keep you posted by email." in page.root.text
    assert form.field_names() == {"csrfmiddlewaretoken", "channel", "phone"}

    response = choose(client, token, channel="sms", phone="07700 900 456")

    assert response.status_code == 302
    assert response["Location"] == f"/c/{token}/?reach=1#reach"
    customer = Customer.objects.get(pk=case.customer_id)
    assert (customer.preferred_channel, customer.phone, customer.texts_only) == ("sms", "+447700900456", False)
    entry = TimelineEntry.objects.get(case=case, event="channel_switched")
    assert entry.summary == "The customer asked to be kept posted by text to +447700900456 (was by email)"
    assert "Done: from now on we keep you posted by text to +447700900456." in client.get(response["Location"]).text

    time_runs_out(case)  # the payment is overdue: a reminder goes out

    reminder = latest_touch_point(case)
    assert (reminder.touchpoint, reminder.channel, reminder.recipient) == (
        "payment_not_received",
        "sms",
        "+447700900456",
    )


def test_back_to_email_and_texts_only_are_choices_too() -> None:
    case = order_with_phone()
    client = Client()
    token = link_token(case=case)
    assert choose(client, token, channel="sms_only").status_code == 302
    assert Customer.objects.get(pk=case.customer_id).texts_only is True
    assert choose(client, token, channel="email").status_code == 302
    customer = Customer.objects.get(pk=case.customer_id)
    assert (customer.preferred_channel, customer.texts_only) == ("email", False)
    summaries = list(
        TimelineEntry.objects.filter(case=case, event="channel_switched")
        .order_by("seq")
        .values_list("summary", flat=True)
    )
    assert summaries == [
        "The customer asked to be kept posted by text to +447700900123 only (was by text to +447700900123)",
        "The customer asked to be kept posted by email (was by text to +447700900123 only)",
    ]
    time_runs_out(case)
    assert latest_touch_point(case).channel == "email"


def test_texts_need_a_mobile_number_and_a_refusal_changes_nothing() -> None:
    case = order_with_phone(channel="email", phone="")
    client = Client()
    token = link_token(case=case)
    entries = TimelineEntry.objects.count()

    for typed, said in [
        ("", "Enter your mobile number"),
        ("0113 496 0000", "isn't a mobile number in the United Kingdom"),
        ("12", "isn't a complete phone number"),
    ]:
        response = choose(client, token, channel="sms", phone=typed)
        assert response.status_code == 400
        assert escape(said) in response.text
        assert f'value="{typed}"' in response.text  # what they typed is kept

    customer = Customer.objects.get(pk=case.customer_id)
    assert (customer.preferred_channel, customer.phone) == ("email", "")
    assert TimelineEntry.objects.count() == entries


def test_the_link_from_the_order_form_shows_the_choice_but_may_not_change_it() -> None:
    case = order_with_phone()
    client = Client()
    token = link_for_form(case=case)
    page = client.get(f"/c/{token}/").text
    assert "We keep you posted <strong>by text to •••123</strong>." in page
    assert "/reach/" not in page
    assert "open this page from the link in one of our messages to you" in page

    response = client.post(f"/c/{token}/reach/", {"channel": "email"})

    assert response.status_code == 403
    assert Customer.objects.get(pk=case.customer_id).preferred_channel == "sms"
    assert not TimelineEntry.objects.filter(case=case, event="channel_switched").exists()


def test_the_form_needs_its_csrf_token() -> None:
    case = order_with_phone()
    client = Client(enforce_csrf_checks=True)
    token = link_token(case=case)
    response = client.post(f"/c/{token}/reach/", {"channel": "email"})
    assert response.status_code == 403
    assert Customer.objects.get(pk=case.customer_id).preferred_channel == "sms"
    assert choose(client, token, channel="email").status_code == 302  # the page's own form carries it


def test_changing_it_over_and_over_is_slowed_down(settings: Any) -> None:
    settings.TOUCHPOINT_PORTAL_PERSON_RATE = 2
    case = order_with_phone()
    client = Client()
    token = link_token(case=case)
    with at(now()):  # one window of the limit, however slowly the machine runs
        assert [choose(client, token, channel=c).status_code for c in ("email", "sms")] == [302, 302]
        response = choose(client, token, channel="email")
    assert response.status_code == 429
    assert "Please wait a few minutes" in response.text
    assert Customer.objects.get(pk=case.customer_id).preferred_channel == "sms"
