"""What the case view draws once per process (the reply form's persona choices, kept by ``{% cache %}``
under the journey version's id and content hash and the choice shown) is never another page's: each
case offers its own journey's messages, with the one this page chose selected."""

from __future__ import annotations

import re

import pytest

from tests.console.given import open_order_problem, open_repair, page_url, signed_in
from tests.support.factories import StaffFactory
from touchpoint.cases.journeys import journey_of
from touchpoint.cases.models import Case
from touchpoint.staff.models import Role

pytestmark = pytest.mark.django_db
OPTION = re.compile(r'<option value="([^"]+)"( selected)?>')


def reply_options(html: str) -> tuple[list[str], list[str]]:
    """The reply form's persona choices (their keys, as the page lists them) and the selected ones."""
    select = html[html.index('<select id="reply-template"') : html.index("</select>", html.index("reply-template"))]
    found = OPTION.findall(select)
    return [key for key, _ in found], [key for key, chosen in found if chosen]


def own_messages(case: Case) -> set[str]:
    return set(journey_of(case.journey).touchpoints)


def test_two_journeys_cases_offer_their_own_persona_messages_one_after_the_other() -> None:
    client = signed_in(StaffFactory(teams=["care", "intake"], role=Role.LEAD))
    repair, order = open_repair(), open_order_problem()
    assert own_messages(repair) != own_messages(order)
    for case in (repair, order, repair, order):  # the second time round, drawn from the process's cache
        response = client.get(page_url(case))
        assert response.status_code == 200
        keys, selected = reply_options(response.content.decode())
        assert set(keys) == own_messages(case) and len(keys) == len(own_messages(case))
        assert len(selected) == 1


def test_a_preview_keeps_the_persona_message_it_chose_and_the_next_fresh_page_chooses_the_default() -> None:
    client = signed_in(StaffFactory(teams=["care", "intake"], role=Role.LEAD))
    case = open_repair()
    keys, (default,) = reply_options(client.get(page_url(case)).content.decode())
    other = next(key for key in keys if key != default)
    form = {"mode": "template", "template": other, "version": case.version, "nonce": "p1", "preview": "1"}
    response = client.post(page_url(case, "reply"), form)
    assert response.status_code == 200
    assert reply_options(response.content.decode())[1] == [other]
    assert reply_options(client.get(page_url(case)).content.decode())[1] == [default]
