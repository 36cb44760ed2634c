"""Feedback on a real mail-in-repair case: one per case, written with its journey move."""

from __future__ import annotations

from typing import Any

import pytest

from tests.quotes.repair import repair_case
from touchpoint.cases.errors import CaseConflict, TransitionRefused
from touchpoint.cases.models import Case, TimelineEntry
from touchpoint.customers.models import Customer
from touchpoint.feedback.models import Feedback
from touchpoint.feedback.selectors import last_feedback
from touchpoint.feedback.services import FeedbackAlreadyGiven, FeedbackInvalid, feedback_give

pytestmark = pytest.mark.django_db


@pytest.fixture
def home_case(customer: Customer) -> Case:
    return repair_case(customer, "feedback_asked")


def test_a_good_rating_is_kept_and_completes_the_case(home_case: Case) -> None:
    # Given a repaired device back home, when the customer rates 5 and agrees to publish
    given = feedback_give(
        case=home_case,
        version=home_case.version,
        csat=5,
        comment="  Like new!  ",
        consent_publish=True,
        display_name="Ian",
        town="Leeds",
    )
    # Then the feedback is stored as given and the case ends successfully, by the customer
    feedback = Feedback.objects.get(case=home_case)
    assert (feedback.csat, feedback.comment, feedback.consent_publish, feedback.display_name, feedback.town) == (
        5,
        "Like new!",
        True,
        "Ian",
        "Leeds",
    )
    assert feedback.customer_id == home_case.customer_id
    assert given.case.state == "completed"
    home_case.refresh_from_db()
    assert (home_case.state, home_case.outcome) == ("completed", "success")
    entry = TimelineEntry.objects.filter(case=home_case).order_by("-seq").first()
    assert entry is not None
    assert (entry.event, entry.actor_kind, entry.detail["data"]) == ("feedback_given", "customer", {"rating": 5})


def test_a_low_rating_becomes_a_complaint_and_keeps_no_name_without_consent(home_case: Case) -> None:
    given = feedback_give(
        case=home_case, version=home_case.version, csat=2, comment="Took ages", display_name="Ian", town="Leeds"
    )
    assert given.case.state == "complaint"
    feedback = Feedback.objects.get(case=home_case)
    assert (feedback.csat, feedback.consent_publish, feedback.display_name, feedback.town) == (2, False, "", "")


def test_a_second_feedback_is_refused_and_changes_nothing(home_case: Case) -> None:
    feedback_give(case=home_case, version=home_case.version, csat=4)
    home_case.refresh_from_db()
    entries = TimelineEntry.objects.filter(case=home_case).count()
    with pytest.raises(FeedbackAlreadyGiven) as refused:
        feedback_give(case=home_case, version=home_case.version, csat=1, comment="changed my mind")
    assert refused.value.feedback.csat == 4
    assert Feedback.objects.filter(case=home_case).count() == 1
    assert TimelineEntry.objects.filter(case=home_case).count() == entries
    home_case.refresh_from_db()
    assert home_case.state == "completed"


def test_a_stale_page_is_refused_and_nothing_is_written(home_case: Case) -> None:
    before = (home_case.version, TimelineEntry.objects.filter(case=home_case).count())
    with pytest.raises(CaseConflict):
        feedback_give(case=home_case, version=home_case.version - 1, csat=5)
    assert Feedback.objects.count() == 0
    home_case.refresh_from_db()
    assert (home_case.version, TimelineEntry.objects.filter(case=home_case).count()) == before


def test_feedback_before_the_journey_asks_is_refused_and_nothing_is_written(customer: Customer) -> None:
    case = repair_case(customer, "repairing")
    with pytest.raises(TransitionRefused):
        feedback_give(case=case, version=case.version, csat=5)
    assert Feedback.objects.count() == 0
    case.refresh_from_db()
    assert case.state == "repairing"


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"csat": 0}, "The rating must be from 1 to 5."),
        ({"csat": 6}, "The rating must be from 1 to 5."),
        ({"csat": 5, "comment": "x" * 4001}, "Part of the feedback is too long."),
        ({"csat": 5, "consent_publish": True, "display_name": "  "}, "A first name is needed to publish the feedback."),
    ],
)
def test_values_out_of_bounds_are_refused(home_case: Case, values: dict[str, Any], message: str) -> None:
    with pytest.raises(FeedbackInvalid) as refused:
        feedback_give(case=home_case, version=home_case.version, **values)
    assert str(refused.value) == message
    assert Feedback.objects.count() == 0
    home_case.refresh_from_db()
    assert home_case.state == "feedback_asked"


def test_last_feedback_is_the_customers_newest(customer: Customer) -> None:
    assert last_feedback(customer=customer) is None
    first = repair_case(customer, "feedback_asked")
    feedback_give(case=first, version=first.version, csat=3)
    second = repair_case(customer, "feedback_asked")
    feedback_give(case=second, version=second.version, csat=5, comment="Better")
    newest = last_feedback(customer=customer)
    assert newest is not None
    assert (newest.case_id, newest.csat, newest.comment) == (second.pk, 5, "Better")
