"""People pages: what each person did and what customers said; the recognition board; coaching
flags when complaints cluster on someone, shown to leads only. Each case is an after-care survey
(survey.yaml): the person acts on it with a note, the customer rates it through the feedback form.

Sam acted on three cases rated 5 ("Sam was brilliant"), 5, 4.
Jo acted on four rated 1, 1, 2 and 5 (the 5 says "Alex on the phone was lovely").
Alex acted on four rated 4, 5, 5, 2, and gave a goodwill credit of 10.
Everyone: 11 ratings, 4 complaints (36%); Jo: 3 of 4 (75%) ≥ twice 36% → a coaching flag."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from tests.support.factories import CustomerFactory, StaffFactory
from touchpoint.cases.actors import SYSTEM
from touchpoint.cases.journeys import journey_register
from touchpoint.cases.models import Case
from touchpoint.cases.services.notes import case_note_add
from touchpoint.core.clock import at, now
from touchpoint.feedback.services import feedback_give
from touchpoint.flows.advance import case_open
from touchpoint.insights.people import coaching_flags, people, recognition_board
from touchpoint.remedies.services.remedies import remedy_apply
from touchpoint.staff.models import Role

pytestmark = pytest.mark.django_db


def register_survey() -> None:
    path = Path(__file__).parent / "survey.yaml"
    journey_register(source=path.read_text(), filename=str(path))


@pytest.fixture
def team(db: Any) -> dict[str, Any]:
    register_survey()
    staff = {
        "sam": StaffFactory(username="sam", first_name="Sam", teams=["bench"]),
        "jo": StaffFactory(username="jo", first_name="Jo", teams=["care"]),
        "alex": StaffFactory(username="alex", first_name="Alex", teams=["intake"]),
        "priya": StaffFactory(username="priya", first_name="Priya", role=Role.LEAD),
    }
    ratings = {
        "sam": [(5, "Sam was brilliant"), (5, "Quick"), (4, "")],
        "jo": [(1, "Nobody called back"), (1, "Lost my parcel"), (2, "Slow"), (5, "Alex on the phone was lovely")],
        "alex": [(4, "Fine"), (5, "Great"), (5, "Super"), (2, "Meh")],
    }
    for who, rated in ratings.items():
        for n, (csat, comment) in enumerate(rated):
            case = case_open(journey="after-care-survey", customer=CustomerFactory(), actor=SYSTEM).case
            # the person acts on the case (a note in the console), and, once, gives a remedy within policy
            case_note_add(case=case, author=staff[who], text="Called the customer back.")
            if who == "alex" and csat == 4:
                remedy_apply(
                    case=Case.objects.get(pk=case.pk),
                    user=staff[who],
                    kind="goodwill_credit",
                    amount=Decimal("10.00"),
                    reason="late",
                    expected_version=Case.objects.get(pk=case.pk).version,
                    idempotency_key=f"remedy-{who}-{n}",
                )
            # then the customer rates us on their page
            case = Case.objects.get(pk=case.pk)
            feedback_give(case=case, version=case.version, csat=csat, comment=comment)
    return staff


def test_each_person_has_their_cases_ratings_compliments_and_remedies(team: dict[str, Any]) -> None:
    everyone = people()
    sam, jo, alex = (everyone[team[name].pk] for name in ("sam", "jo", "alex"))
    assert (len(sam.cases), sorted(sam.ratings), sam.average, len(sam.compliments), len(sam.complaints)) == (
        3,
        [4, 5, 5],
        4.67,
        3,
        0,
    )
    assert sam.compliments[0].text == "Sam was brilliant" and sam.compliments[0].names_them
    assert (len(jo.cases), sorted(jo.ratings), len(jo.compliments), len(jo.complaints)) == (4, [1, 1, 2, 5], 1, 3)
    # Alex is named in praise on Jo's case: it counts for Alex too, marked as naming them.
    assert [q.text for q in alex.compliments if q.names_them] == ["Alex on the phone was lovely"]
    assert (len(alex.compliments), alex.remedies, alex.remedy_cost) == (4, {"goodwill_credit": 1}, Decimal("10.00"))
    assert everyone[team["priya"].pk].cases == set()


def test_the_recognition_board_ranks_praise_that_names_someone_higher(team: dict[str, Any]) -> None:
    board = recognition_board(people())
    assert [p.user.username for p in board] == ["alex", "sam", "jo"]  # Alex 4+1, Sam 3+1, Jo 1


def test_complaints_clustering_on_one_person_raise_a_coaching_flag(team: dict[str, Any]) -> None:
    flags = coaching_flags(people())
    assert [(f.user.username, f.complaints, f.rated) for f in flags] == [("jo", 3, 4)]
    assert flags[0].reason == "3 of the 4 rated cases Jo acted on were complaints (75%, against 36% for everyone)"


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_coaching_flags_are_shown_to_leads_only(team: dict[str, Any]) -> None:
    as_agent = client_for(team["sam"])
    board = as_agent.get("/console/people/").content.decode()
    assert "Recognition board" in board and "Coaching flags" not in board
    jo_page = as_agent.get("/console/people/jo/").content.decode()
    assert "Coaching flag" not in jo_page and "Nobody called back" not in jo_page
    as_lead = client_for(team["priya"])
    assert "3 of the 4 rated cases Jo acted on were complaints" in as_lead.get("/console/people/").content.decode()
    lead_view = as_lead.get("/console/people/jo/").content.decode()
    assert "Coaching flag (leads only)" in lead_view and "Nobody called back" in lead_view


def test_people_pages_need_a_staff_login_and_a_real_person(team: dict[str, Any]) -> None:
    assert Client().get("/console/people/").status_code == 302
    assert Client().get("/console/people/jo/").status_code == 302
    assert client_for(team["priya"]).get("/console/people/nobody/").status_code == 404


def test_the_people_pages_read_the_cases_opened_in_the_window_they_name(team: dict[str, Any]) -> None:
    # Sam also noted a case opened 200 days ago: in the year, not in the default 90 days
    with at(now() - timedelta(days=200)):
        old = case_open(journey="after-care-survey", customer=CustomerFactory(), actor=SYSTEM).case
        case_note_add(case=old, author=team["sam"], text="Called the customer back.")
    client = client_for(team["priya"])
    page = client.get("/console/people/sam/").content.decode()
    assert "cases opened in the last 90 days" in page
    assert "<dt>Cases handled</dt><dd>3</dd>" in page
    assert "<dt>Cases handled</dt><dd>4</dd>" in client.get("/console/people/sam/?days=365").content.decode()


def test_the_people_pages_read_the_stored_figures_in_one_query(
    team: dict[str, Any], django_assert_num_queries: Any
) -> None:
    client = client_for(team["priya"])
    client.get("/console/people/")  # the first look works the window out (a small shop) and stores it
    # 5: the session, the lead and their two-factor device (3); the window's figures (1); the active staff (1)
    with django_assert_num_queries(5):
        board = client.get("/console/people/").content.decode()
    assert "3 of the 4 rated cases Jo acted on were complaints" in board
    assert "As of " in board and "(worked out again every 30 minutes)" in board
    # 5: the same three; the person (1); the window's figures (1)
    with django_assert_num_queries(5):
        page = client.get("/console/people/jo/").content.decode()
    assert "<dt>Cases handled</dt><dd>4</dd>" in page and "Nobody called back" in page


def test_people_are_read_as_they_are_now_and_their_figures_as_stored(team: dict[str, Any]) -> None:
    client = client_for(team["priya"])
    client.get("/console/people/")
    StaffFactory(username="kim", first_name="Kim")  # joined after the figures were worked out
    team["alex"].is_active = False  # and Alex left (deactivated in the admin)
    team["alex"].save(update_fields=["is_active"])
    board = client.get("/console/people/").content.decode()
    assert '<a href="/console/people/kim/">' in board and '<a href="/console/people/alex/">' not in board
    assert client.get("/console/people/alex/").status_code == 404
    assert "<dt>Cases handled</dt><dd>0</dd>" in client.get("/console/people/kim/").content.decode()


def test_an_agent_gets_no_complaints_and_no_flags_from_the_stored_figures(team: dict[str, Any]) -> None:
    client_for(team["priya"]).get("/console/people/jo/")  # stored by a lead's look: complaints and flags in it
    as_agent = client_for(team["sam"])
    board = as_agent.get("/console/people/")
    assert board.context["flags"] is None
    jo = as_agent.get("/console/people/jo/")
    assert (jo.context["flag"], jo.context["p"].figures.complaints, jo.context["p"].figures.complaint_count) == (
        None,
        [],
        0,
    )
    assert "Lost my parcel" not in jo.content.decode()
