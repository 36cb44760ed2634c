"""The customer's action panel: every step the journey gives the customer, on their case page, taken
through the page as they would, once, and only when the journey allows it."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest
from django.urls import reverse

from tests.portal.story import Customer, beyond_repair, problem_at, repair_at, staff_step
from touchpoint.cases.models import Case, TimelineEntry
from touchpoint.inbox.models import InboundMessage
from touchpoint.outbox.models import OutboxMessage

pytestmark = pytest.mark.django_db


def offered(html: str) -> list[tuple[str, str]]:
    """The actions the page offers, as (event, the button's words), in the page's order."""
    forms = re.findall(
        r'<form[^>]*class="act" id="act-([a-z_]+)".*?<button type="submit"[^>]*>(.*?)</button>', html, re.S
    )
    return [(event, unescape(words)) for event, words in forms]


def text_of(html: str) -> str:
    """The words a person reads: inline markup dropped, blocks and controls apart."""
    inline = re.sub(r"</?(?:strong|em|a|span|time)\b[^>]*>", "", html)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", inline)))


def snapshot(case: Case) -> tuple[Any, ...]:
    """Everything an action could change."""
    fresh = Case.objects.get(pk=case.pk)
    return (
        fresh.state,
        fresh.version,
        fresh.outcome,
        fresh.data,
        TimelineEntry.objects.filter(case=case).count(),
        OutboxMessage.objects.filter(case=case).count(),
        InboundMessage.objects.filter(case=case).count(),
    )


def sent(case: Case, since: int = 0) -> list[tuple[str, str]]:
    """The touch points written for ``case`` after the first ``since``, with their recipient."""
    rows = OutboxMessage.objects.filter(case=case).exclude(touchpoint="").order_by("created_at", "pk")
    return [(row.touchpoint, row.recipient) for row in rows][since:]


def taken(customer: Customer, event: str, *, confirm: bool = False, **values: str) -> Case:
    """Take ``event`` on the page and follow the redirect back; returns the case as it is then."""
    before = len(sent(customer.case))
    response = customer.act(event, confirm=confirm, **values)
    assert response.status_code == 303, text_of(response.content.decode())[:1500]
    assert response["Location"] == customer.url
    case = customer.case
    entry = TimelineEntry.objects.filter(case=case, event=event).get()
    assert (entry.actor_kind, entry.to_state) == ("customer", case.state)
    assert len(sent(case)) - before == len(entry.detail["touchpoints"])
    return case


def test_the_kit_arrived_as_the_customer_says(client: Any) -> None:
    customer = repair_at("box_in_post", client)
    html = customer.page()
    assert offered(html) == [("box_delivered", "My repair kit has arrived")]

    case = taken(customer, "box_delivered")

    assert (case.state, case.outcome) == ("awaiting_device", "")
    assert sent(case)[-1] == ("box_delivered", "maya@example.com")
    page = text_of(customer.page())
    assert "Thanks, we've noted “My repair kit has arrived”." in page
    assert "Waiting for your device" in page


def test_posting_the_device_and_the_choice_to_cancel(client: Any) -> None:
    customer = repair_at("awaiting_device", client)
    assert offered(customer.page()) == [
        ("device_posted", "I've posted my device"),
        ("order_cancelled", "Cancel my order"),
    ]

    case = taken(customer, "device_posted")

    assert (case.state, case.outcome) == ("device_in_transit", "")
    assert sent(case)[-1] == ("device_on_its_way", "maya@example.com")
    assert offered(customer.page()) == []  # the carrier has it now: nothing for the customer to do


def test_cancelling_asks_first_then_cancels_and_refunds(client: Any) -> None:
    customer = repair_at("awaiting_device", client)
    before = snapshot(customer.case)

    asked = customer.act("order_cancelled")

    html = asked.content.decode()
    assert asked.status_code == 200
    assert "<h1>Cancel my order?</h1>" in html
    assert "This can't be undone." in text_of(html)
    assert "Your page will then say “Order cancelled”." in text_of(html)
    assert snapshot(customer.case) == before  # looking at the question changes nothing
    yes = re.search(r'<form[^>]*id="act-order_cancelled".*?</form>', html, re.S)
    assert yes is not None
    assert '<input type="hidden" name="confirm" value="yes">' in yes.group(0)
    assert "Yes, cancel my order" in yes.group(0)

    case = taken(customer, "order_cancelled", confirm=True)

    assert (case.state, case.outcome) == ("cancelled", "failure")
    assert sent(case)[-1] == ("cancellation_confirmed", "maya@example.com")
    assert offered(customer.page()) == []


def test_the_device_home_as_the_customer_says(client: Any) -> None:
    customer = repair_at("return_in_post", client)
    assert offered(customer.page()) == [("return_delivered", "It's home")]

    case = taken(customer, "return_delivered")

    assert (case.state, case.outcome, case.data["repaired"]) == ("feedback_asked", "", True)
    assert sent(case)[-1] == ("home_safe", "maya@example.com")


def test_a_complaint_takes_the_customers_words(client: Any) -> None:
    customer = repair_at("resting", client)
    html = customer.page()
    assert offered(html) == [("complaint_raised", "Make a complaint")]
    assert "Not happy with something?" in text_of(html)
    assert '<label for="id_complaint_raised-words">What went wrong?' in html
    before = snapshot(customer.case)

    empty = customer.act("complaint_raised", words="   ")

    assert empty.status_code == 400
    error = "Tell us in a few words what went wrong: a person reads it."
    assert f'<p class="error" id="err-complaint_raised-words">{error}</p>' in empty.content.decode()
    assert error in empty.content.decode()
    assert snapshot(customer.case) == before

    case = taken(customer, "complaint_raised", words="The box came back crushed.\nAnd nobody told me.")

    assert (case.state, case.outcome) == ("complaint", "")
    assert sent(case)[-1] == ("complaint_received", "maya@example.com")
    words = InboundMessage.objects.get(case=case)
    assert (words.source, words.text) == ("portal", "The box came back crushed.\nAnd nobody told me.")
    page = text_of(customer.page())
    assert "Thank you for telling us. Your words are on your case, and a person from our team has them now." in page
    assert "The box came back crushed." in page  # in their conversation with us


def test_beyond_repair_offers_back_or_recycled_and_back_works(client: Any) -> None:
    customer = beyond_repair(client)
    html = customer.page()
    assert offered(html) == [("return_chosen", "Send it back to me"), ("recycle_chosen", "Recycle it responsibly")]

    case = taken(customer, "return_chosen")

    assert (case.state, case.outcome, case.data["repaired"]) == ("return_to_pack", "", False)
    assert sent(case)[-1] == ("returning_unrepaired", "maya@example.com")


def test_beyond_repair_recycled_after_being_asked(client: Any) -> None:
    customer = beyond_repair(client)
    asked = customer.act("recycle_chosen")
    assert asked.status_code == 200
    assert "<h1>Recycle it responsibly?</h1>" in asked.content.decode()
    assert "Your page will then say “Recycled”." in text_of(asked.content.decode())

    case = taken(customer, "recycle_chosen", confirm=True)

    assert (case.state, case.outcome) == ("recycled", "failure")
    assert sent(case)[-1] == ("recycled", "maya@example.com")


def test_a_double_submit_acts_once(client: Any) -> None:
    customer = repair_at("awaiting_device", client)
    form = customer.form_of("device_posted")
    url = reverse("portal:action_take", args=[customer.token])

    first = client.post(url, form)
    second = client.post(url, form)

    assert (first.status_code, second.status_code) == (303, 303)
    assert TimelineEntry.objects.filter(case=customer.case, event="device_posted").count() == 1
    assert [t for t, _ in sent(customer.case)].count("device_on_its_way") == 1
    page = text_of(client.get(second["Location"]).content.decode())
    assert "We'd already noted “I've posted my device”: it only counts once." in page


def test_a_stale_page_changes_nothing_and_says_where_things_are(client: Any) -> None:
    customer = repair_at("awaiting_device", client)
    form = customer.form_of("order_cancelled")
    staff_step(customer, "device_arrived")  # intake scans it in while the page sits open
    before = snapshot(customer.case)

    response = client.post(reverse("portal:action_take", args=[customer.token]), {**form, "confirm": "yes"})

    assert response.status_code == 409
    words = text_of(response.content.decode())
    assert "Your page was out of date: things have moved on since it was loaded, so nothing was changed." in words
    assert "Where things are now: Resting before surgery." in words
    assert snapshot(customer.case) == before


BAD_POSTS = [
    pytest.param({"event": "teleported"}, 400, "We don't know that action", id="unknown event"),
    pytest.param({"event": ""}, 400, "That didn't come through whole", id="no event"),
    pytest.param({"version": "x" * 100}, 400, "That didn't come through whole", id="mangled version"),
    pytest.param({"version": "9" * 5000}, 400, "That didn't come through whole", id="huge version"),
    pytest.param({"nonce": "../../etc"}, 400, "That didn't come through whole", id="forged nonce"),
    pytest.param({"nonce": "n" * 100_000}, 400, "That didn't come through whole", id="huge nonce"),
    pytest.param({"event": "device_arrived"}, 403, "That isn't something you can do at this step", id="staff's event"),
    pytest.param({"event": "box_delivered"}, 403, "That isn't something you can do at this step", id="not this step"),
    pytest.param({"event": "card_submitted"}, 403, "That isn't something you can do at this step", id="a panel's"),
    pytest.param({"event": "feedback_given"}, 403, "That isn't something you can do at this step", id="feedback's"),
]


@pytest.mark.parametrize(("change", "status", "said"), BAD_POSTS)
def test_a_bad_action_is_a_clear_refusal_and_changes_nothing(
    client: Any, change: dict[str, str], status: int, said: str
) -> None:
    customer = repair_at("awaiting_device", client)
    form = {**customer.form_of("device_posted"), **change}
    before = snapshot(customer.case)

    response = client.post(reverse("portal:action_take", args=[customer.token]), form)

    assert response.status_code == status
    assert said in text_of(response.content.decode())
    assert snapshot(customer.case) == before


def test_an_action_needs_a_post_and_a_csrf_token(client: Any) -> None:
    from django.test import Client

    customer = repair_at("awaiting_device", client)
    form = customer.form_of("device_posted")
    url = reverse("portal:action_take", args=[customer.token])
    before = snapshot(customer.case)
    assert client.get(url, form).status_code == 405
    assert Client(enforce_csrf_checks=True).post(url, form).status_code == 403
    assert snapshot(customer.case) == before


def test_another_cases_link_cannot_act_on_this_case(client: Any) -> None:
    from django.test import Client

    mine = repair_at("awaiting_device", client)
    theirs = repair_at("box_in_post", Client(), email="tom@example.com", name="Tom Riley")
    form = mine.form_of("device_posted")
    mine_before, theirs_before = snapshot(mine.case), snapshot(theirs.case)

    response = client.post(reverse("portal:action_take", args=[theirs.token]), form)

    assert response.status_code in (403, 409)
    assert mine.case.reference not in response.content.decode()
    assert (snapshot(mine.case), snapshot(theirs.case)) == (mine_before, theirs_before)


def test_an_ended_case_offers_nothing_and_takes_nothing(client: Any) -> None:
    customer = repair_at("awaiting_device", client)
    form = customer.form_of("device_posted")
    taken(customer, "order_cancelled", confirm=True)
    before = snapshot(customer.case)

    response = client.post(reverse("portal:action_take", args=[customer.token]), {**form, "version": str(before[1])})

    assert response.status_code == 403
    assert offered(customer.page()) == []
    assert snapshot(customer.case) == before


def test_the_replacement_arrived_as_the_customer_says(client: Any) -> None:
    customer = problem_at("replacement_in_post", client)
    assert offered(customer.page()) == [("delivered", "My replacement has arrived")]

    case = taken(customer, "delivered")

    assert (case.state, case.outcome) == ("confirming", "")
    assert sent(case)[-1] == ("replacement_delivered", "maya@example.com")


def test_right_in_one_piece_then_the_old_item_goes_back(client: Any) -> None:
    customer = problem_at("confirming", client)
    assert offered(customer.page()) == [
        ("confirmed_right", "It's the right part, in one piece"),
        ("still_wrong", "It's still not right"),
    ]

    case = taken(customer, "confirmed_right")

    assert (case.state, case.data["return_needed"]) == ("awaiting_return", True)
    assert sent(case)[-1] == ("return_label", "maya@example.com")
    assert offered(customer.page()) == [("return_posted", "I've posted the old item")]

    case = taken(customer, "return_posted")

    assert (case.state, case.outcome) == ("return_in_post", "")
    assert sent(case)[-1] == ("return_on_its_way", "maya@example.com")


def test_a_damaged_item_stays_and_feedback_is_asked(client: Any) -> None:
    customer = problem_at("confirming", client, what_happened="damaged")

    case = taken(customer, "confirmed_right")

    assert (case.state, case.data["return_needed"]) == ("feedback_asked", False)
    assert sent(case)[-1] == ("how_did_we_do", "maya@example.com")
    assert 'id="act-feedback_given"' in customer.page()


def test_still_not_right_brings_a_person(client: Any) -> None:
    customer = problem_at("confirming", client)

    case = taken(customer, "still_wrong")

    assert (case.state, case.owner) == ("still_wrong", "team:care")
    assert sent(case)[-1] == ("sorry_person_calls", "maya@example.com")
