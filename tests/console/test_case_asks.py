"""Generic console actions from the journey: buttons in the journey's words, and an event that asks for
values gets a small form typed from the declaration (order-problem's `packed` asks whether the scanned
part matches the order and whether it is the same wrong part again). Bad input is answered beside its
field with nothing changed; events with a record of their own are left to their panels."""

from __future__ import annotations

import re

import pytest

from tests.console.given import act, fresh, offered, open_order_problem, page_url, signed_in, state_of
from tests.support.factories import StaffFactory
from touchpoint.cases.models import Case, TimelineEntry
from touchpoint.staff.models import Role, StaffUser

pytestmark = pytest.mark.django_db


@pytest.fixture
def care() -> StaffUser:
    return StaffFactory(username="jo", first_name="Jo", last_name="Park", teams=["care"])


@pytest.fixture
def warehouse() -> StaffUser:
    return StaffFactory(username="wes", first_name="Wes", teams=["warehouse"])


def picking(care: StaffUser, warehouse: StaffUser) -> Case:
    """Care sends a replacement; the warehouse acknowledges it: the part is being picked."""
    case = open_order_problem()
    assert act(signed_in(care), case, "replacement_requested", "r1").status_code == 302
    assert act(signed_in(warehouse), case, "acknowledged", "a1").status_code == 302
    case = fresh(case)
    assert case.state == "picking"
    return case


def asks_form(html: str) -> str:
    found = re.search(
        r'<form method="post" action="[^"]+/event/" class="asks-form" id="event-packed".*?</form>', html, re.S
    )
    assert found is not None
    return found.group(0)


def test_buttons_say_the_journeys_words_and_where_they_lead(care: StaffUser) -> None:
    case = open_order_problem()
    client = signed_in(care)
    assert offered(client, case) == ["replacement_requested"]
    html = client.get(page_url(case)).content.decode()
    assert (
        '<button type="submit">Send a replacement <span class="to">→ Preparing your replacement</span></button>' in html
    )
    assert "Replacement requested" not in html  # never the key made readable


def test_the_packed_form_asks_its_two_questions_as_yes_or_no(care: StaffUser, warehouse: StaffUser) -> None:
    case = picking(care, warehouse)
    html = signed_in(warehouse).get(page_url(case)).content.decode()
    form = asks_form(html)
    assert "<legend>Packed (scan the part)</legend>" in form
    assert "<legend>The scanned part is the one the customer ordered</legend>" in form
    assert "<legend>The scanned part is the same wrong part shipped before</legend>" in form
    for name in ("sku_matches_order", "repeat_wrong_part"):
        assert re.findall(rf'<input type="radio" name="packed-{name}" value="(yes|no)"', form) == ["yes", "no"]
    assert (
        '<button type="submit">Packed (scan the part) <span class="to">→ Your replacement is on its way '
        "or Double-checking your replacement</span></button>" in form
    )
    # The declaration's meaning is the hint, with the keys it names said in words.
    assert (
        '<p class="hint">Given by the packer with “Packed (scan the part)”, the scanned part is the one the '
        "customer ordered.</p>" in form
    )
    assert "`" not in form and "sku_matches_order</" not in form


def test_packing_the_right_part_sends_the_replacement_and_keeps_the_answers(
    care: StaffUser, warehouse: StaffUser
) -> None:
    case = picking(care, warehouse)
    client = signed_in(warehouse)
    response = act(client, case, "packed", "p1", sku_matches_order="yes", repeat_wrong_part="no")
    assert response.status_code == 302
    now = fresh(case)
    assert now.state == "replacement_in_post"
    assert (now.data["sku_matches_order"], now.data["repeat_wrong_part"]) == (True, False)
    entry = TimelineEntry.objects.filter(case=case).order_by("-seq").first()
    assert entry is not None
    assert entry.summary == (
        "Preparing your replacement → Your replacement is on its way (Packed (scan the part), by Wes)"
    )
    assert entry.detail["data"] == {"sku_matches_order": True, "repeat_wrong_part": False}
    page = client.get(page_url(case)).content.decode()
    assert "Done: Packed (scan the part). The case is now “Your replacement is on its way”." in page


def test_the_same_wrong_part_again_is_caught_before_it_ships(care: StaffUser, warehouse: StaffUser) -> None:
    case = picking(care, warehouse)
    response = act(signed_in(warehouse), case, "packed", "p2", sku_matches_order="no", repeat_wrong_part="yes")
    assert response.status_code == 302
    now = fresh(case)
    assert (now.state, now.data["sku_matches_order"], now.data["repeat_wrong_part"]) == (
        "wrong_part_caught",
        False,
        True,
    )


def test_an_unanswered_question_is_asked_again_beside_its_field_and_nothing_changes(
    care: StaffUser, warehouse: StaffUser
) -> None:
    case = picking(care, warehouse)
    before = state_of(case)
    response = act(signed_in(warehouse), case, "packed", "p3", sku_matches_order="yes")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Not done, nothing changed: “Packed (scan the part)” needs the values below." in html
    form = asks_form(html)
    assert '<fieldset class="yes-no" aria-describedby="ask-packed-repeat_wrong_part-error">' in form
    assert '<ul class="errorlist" id="ask-packed-repeat_wrong_part-error"><li>Choose yes or no.</li></ul>' in form
    # What was answered is kept.
    assert re.search(r'<input type="radio" name="packed-sku_matches_order" value="yes"[^>]* checked', form)
    assert state_of(case) == before


def test_a_value_edited_into_the_form_is_refused_never_a_500(care: StaffUser, warehouse: StaffUser) -> None:
    case = picking(care, warehouse)
    before = state_of(case)
    response = act(signed_in(warehouse), case, "packed", "p4", sku_matches_order="maybe", repeat_wrong_part="no")
    assert response.status_code == 400
    assert '<ul class="errorlist" id="ask-packed-sku_matches_order-error"><li>Choose yes or no.</li></ul>' in (
        response.content.decode()
    )
    assert state_of(case) == before


def test_someone_outside_the_warehouse_posting_packed_is_refused_in_words(
    care: StaffUser, warehouse: StaffUser
) -> None:
    case = picking(care, warehouse)
    before = state_of(case)
    response = act(signed_in(care), case, "packed", "p5", sku_matches_order="yes", repeat_wrong_part="no")
    assert response.status_code == 403
    assert (
        "Not done, nothing changed: “Packed (scan the part)” isn&#x27;t yours to record at “Preparing your "
        "replacement”: it is for Warehouse." in response.content.decode()
    )
    assert state_of(case) == before


@pytest.mark.parametrize(
    ("event", "words"),
    [
        ("feedback_given", "only the customer gives their feedback, from their page"),
        ("balance_waived", "use the remedies panel for that"),
        ("payment_succeeded", "use the payments panel for that"),
        ("quote_approved", "use the quote panel for that"),
    ],
)
def test_events_with_a_record_of_their_own_are_left_to_their_panels(care: StaffUser, event: str, words: str) -> None:
    case = open_order_problem()
    lead = StaffFactory(username="lee", role=Role.LEAD, teams=["care"])
    before = state_of(case)
    response = signed_in(lead).post(page_url(case, "event"), {"event": event, "version": case.version, "nonce": "x"})
    assert response.status_code == 403
    assert f"Not done, nothing changed: {words}." in response.content.decode()
    assert state_of(case) == before
