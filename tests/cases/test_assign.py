"""Reassigning a case: to a member of the owning team or a lead, or back to the team's queue."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.factories import CustomerFactory, StaffFactory
from tests.support.orders import place_repair_order
from tests.support.timers import time_runs_out
from touchpoint.cases.errors import CaseConflict
from touchpoint.cases.models import Case, TimelineEntry
from touchpoint.cases.services.assign import AssignRefused, assignable_staff, case_assign
from touchpoint.flows.advance import case_advance
from touchpoint.staff.models import Role, StaffUser

pytestmark = pytest.mark.django_db


@pytest.fixture
def payment_failed(db: Any) -> Case:
    """A mail-in repair whose payment never came: an exception owned by team:intake."""
    return time_runs_out(place_repair_order(CustomerFactory()))


def snapshot(case: Case) -> tuple[int | None, int, int]:
    fresh = Case.objects.get(pk=case.pk)
    return fresh.assignee_id, fresh.version, TimelineEntry.objects.filter(case=case).count()


@pytest.fixture
def ivy() -> StaffUser:
    return StaffFactory(username="ivy", first_name="Ivy", teams=["intake"])


def test_a_team_member_gives_the_case_to_a_colleague_with_a_timeline_entry(
    payment_failed: Case, ivy: StaffUser
) -> None:
    max_ = StaffFactory(username="max", first_name="Max", teams=["intake"])
    case = case_assign(case=payment_failed, assignee=max_, actor=ivy)
    assert (case.assignee, case.version) == (max_, payment_failed.version + 1)
    entry = TimelineEntry.objects.filter(case=case).order_by("-seq").first()
    assert entry is not None
    assert (entry.kind, entry.event, entry.summary) == ("note", "assigned", "Assigned to Max by Ivy")
    assert entry.detail == {"assignee": max_.pk, "internal": True}


def test_back_to_the_queue(payment_failed: Case, ivy: StaffUser) -> None:
    case = case_assign(case=payment_failed, assignee=ivy, actor=ivy)
    case = case_assign(case=case, assignee=None, actor=ivy)
    assert case.assignee is None
    entry = TimelineEntry.objects.filter(case=case).order_by("-seq").first()
    assert entry is not None
    assert entry.summary == "Back to the team:intake queue, by Ivy"


def test_the_assignable_are_active_team_members_and_leads(payment_failed: Case, ivy: StaffUser) -> None:
    lead = StaffFactory(username="priya", role=Role.LEAD, teams=["bench"])
    StaffFactory(username="gone", teams=["intake"], is_active=False)
    StaffFactory(username="bench", teams=["bench"])
    assert assignable_staff(case=payment_failed) == [ivy, lead]  # Ivy, then Sam (priya), by first name


def test_a_lead_outside_the_team_may_assign(payment_failed: Case, ivy: StaffUser) -> None:
    lead = StaffFactory(username="priya", role=Role.LEAD, teams=["bench"])
    assert case_assign(case=payment_failed, assignee=ivy, actor=lead).assignee == ivy


@pytest.mark.parametrize(
    ("who", "whom", "message"),
    [
        ("outsider", "ivy", "only a member of team:intake or a lead can reassign"),
        ("ivy", "outsider", "can't take .*: choose an active member of team:intake or a lead"),
        ("ivy", None, "is already in the team:intake queue, with no one assigned"),
    ],
)
def test_refusals_change_nothing(
    payment_failed: Case, ivy: StaffUser, who: str, whom: str | None, message: str
) -> None:
    people = {"ivy": ivy, "outsider": StaffFactory(username="out", teams=["bench"])}
    before = snapshot(payment_failed)
    with pytest.raises(AssignRefused, match=message):
        case_assign(case=payment_failed, assignee=people[whom] if whom else None, actor=people[who])
    assert snapshot(payment_failed) == before


def test_a_stale_case_is_refused(payment_failed: Case, ivy: StaffUser) -> None:
    stale = payment_failed.version
    case_assign(case=Case.objects.get(pk=payment_failed.pk), assignee=ivy, actor=ivy)
    before = snapshot(payment_failed)
    payment_failed.version = stale
    with pytest.raises(CaseConflict):
        case_assign(case=payment_failed, assignee=None, actor=ivy)
    assert snapshot(payment_failed) == before


def test_an_ended_case_cannot_be_assigned(payment_failed: Case, ivy: StaffUser) -> None:
    from touchpoint.cases.actors import staff_actor

    ended = case_advance(case=payment_failed, event="payment_given_up", actor=staff_actor(ivy)).case
    before = snapshot(ended)
    with pytest.raises(AssignRefused, match="has ended"):
        case_assign(case=ended, assignee=ivy, actor=ivy)
    assert snapshot(ended) == before
