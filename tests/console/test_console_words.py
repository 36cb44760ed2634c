"""Console words (issue 12, part 9): no internal key reaches a person. Buttons, the waiting line, the
reply form, the timeline, queues and journey pages say the journey's words; team names, never
`team:care`; and staff pages don't carry the customer's "need a person?" footer."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.test import Client

from tests.console.given import open_repair, page_url, signed_in
from tests.support.factories import StaffFactory
from touchpoint.cases.actors import CARRIER, CUSTOMER, SYSTEM, staff_actor
from touchpoint.cases.journeys import journey_of
from touchpoint.cases.models import Case
from touchpoint.flows.advance import case_advance
from touchpoint.staff.models import StaffUser

pytestmark = pytest.mark.django_db
FOOTER = "Need a person? Reply to any email from us"


class _Text(HTMLParser):
    """The text a person reads on a page: not attribute values, scripts or styles, nor the messages as
    they were sent (a ``<pre>``: their links carry the customer page's anchors, ``#act-box_delivered``)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "pre"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "pre"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def visible(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def keys_shown(case: Case, text: str) -> list[str]:
    """Every journey key (or a key with its underscores squeezed out) that a person can read in ``text``."""
    journey = journey_of(case.journey)
    keys = {*journey.states, *journey.touchpoints, *journey.data, *(e for _, e in journey.index)}
    found = [key for key in sorted(keys) if "_" in key and (key in text or key.replace("_", "") in text)]
    return found + (["team:"] if "team:" in text else [])


def bench() -> StaffUser:
    return StaffFactory(username="bo", first_name="Bo", teams=["bench"])


def in_quality_check(tech: StaffUser) -> Case:
    case = open_repair()
    case = case_advance(case=case, event="card_submitted", actor=CUSTOMER).case
    case = case_advance(case=case, event="payment_succeeded", actor=SYSTEM).case
    case = case_advance(case=case, event="device_posted", actor=CARRIER).case
    intake = StaffFactory(username="ivy", first_name="Ivy", teams=["intake"])
    case = case_advance(case=case, event="device_arrived", actor=staff_actor(intake)).case
    for event, given in (("surgery_started", None), ("diagnosed", {"quote_total": 0}), ("repair_done", None)):
        case = case_advance(case=case, event=event, actor=staff_actor(tech), given=given).case
    assert case.state == "quality_check"
    return case


def test_the_case_view_speaks_in_the_journeys_words_only() -> None:
    tech = bench()
    case = in_quality_check(tech)
    html = signed_in(tech).get(page_url(case)).content.decode()
    text = visible(html)
    assert "Quality check passed → Getting ready for the trip home" in text
    assert "Qc passed" not in text
    assert keys_shown(case, text) == []
    assert "Owner Bench" in text


def test_a_case_waiting_on_the_carrier_says_who_and_what_the_wait_limit_does() -> None:
    shipping = StaffFactory(username="sam", first_name="Sam", teams=["shipping"])
    case = open_repair(prepaid_box=True)
    case = case_advance(case=case, event="card_submitted", actor=CUSTOMER).case
    case = case_advance(case=case, event="payment_succeeded", actor=SYSTEM).case
    case = case_advance(case=case, event="box_dispatched", actor=staff_actor(shipping)).case
    html = signed_in(bench()).get(page_url(case)).content.decode()
    text = visible(html)
    assert (
        "Nothing for you to do in this state: it is the carrier's to move, or the wait limit moves it on "
        "(“Repair kit overdue”)." in text
    )
    assert "boxnotdelivered" not in text
    assert keys_shown(case, text) == []


def test_the_reply_form_offers_persona_messages_by_what_they_say() -> None:
    tech = bench()
    case = in_quality_check(tech)
    html = signed_in(tech).get(page_url(case)).content.decode()
    assert (
        '<option value="still_on_it" selected>A sober update on a problem a person is working on, and when the '
        "next one comes.</option>" in html
    )
    assert "still_on_it:" not in html


def test_staff_pages_have_no_customer_footer_and_the_public_home_page_has() -> None:
    tech = bench()
    case = in_quality_check(tech)
    client = signed_in(tech)
    for url in (page_url(case), "/console/", "/console/scan/", "/console/journeys/", "/console/login/"):
        assert FOOTER not in client.get(url).content.decode(), url
    assert FOOTER in Client().get("/").content.decode()
    assert FOOTER in Client().get("/no-such-page/").content.decode()
