"""The case view's remedies panel reads little: the policy in force by id and hash (its parse kept
per process, a new version seen at once) and the case's remedies and requests in one statement,
so it costs the same two queries whatever the case has had."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from tests.remedies.acts import ask, give
from touchpoint.cases.models import Case
from touchpoint.core.clock import at
from touchpoint.remedies.models import Remedy, RemedyRequest, RequestStatus
from touchpoint.remedies.selectors import remedy_history
from touchpoint.remedies.services.context import applied_totals
from touchpoint.remedies.services.policies import DEFAULT_POLICY, policy_active, policy_in_force, policy_save
from touchpoint.remedies.services.requests import remedy_request_decide
from touchpoint.staff.models import StaffUser

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(new_case: Case, agent: StaffUser, lead: StaffUser) -> Case:
    """A case that had a bit of everything: given within the limit, approved, declined, waiting."""
    give(new_case, agent, "goodwill_credit", "7.50", "g1", 'Late <b>box</b> & "sorry"')
    give(new_case, agent, "replacement", None, "g2", "New one")
    approved = ask(
        new_case, agent, "goodwill_credit", "2.55", "a1", "Screen <cracked> & late"
    )  # £2.50 left of the agent's £10
    remedy_request_decide(request=approved, lead=lead, approve=True, reason="Fair")
    declined = ask(new_case, agent, "fee_waiver", "50", "a2", "Screen <cracked> & late")
    remedy_request_decide(request=declined, lead=lead, approve=False, reason="Not <this> time")
    ask(new_case, agent, "refund", "40", "a3", "Screen <cracked> & late")
    new_case.refresh_from_db()
    return new_case


def test_a_cases_remedies_and_requests_come_in_one_query(
    history: Case, django_assert_num_queries: Any, lead: StaffUser
) -> None:
    with django_assert_num_queries(1):
        read = remedy_history(case_id=history.pk)
    given = list(Remedy.objects.filter(case=history).order_by("-applied_at", "-pk"))
    assert [(g.pk, g.kind, g.amount, g.reason, g.rule, g.applied_at) for g in read.given] == [
        (g.pk, g.kind, g.amount, g.reason, g.rule, g.applied_at) for g in given
    ]
    assert [(g.applied_by, g.approved_by) for g in read.given] == [
        (str(g.applied_by), str(g.approved_by) if g.approved_by else "") for g in given
    ]
    assert [g.amount_text for g in read.given] == ["£2.55", "", "£7.50"]
    assert [g.kind_label for g in read.given] == ["Goodwill credit", "Replacement", "Goodwill credit"]
    asked = list(RemedyRequest.objects.filter(case=history).order_by("-asked_at", "-pk"))
    assert [(a.pk, a.status, a.amount, a.due_at, a.decision_reason) for a in read.asked] == [
        (a.pk, a.status, a.amount, a.due_at, a.decision_reason) for a in asked
    ]
    assert [(a.asked_by, a.decided_by) for a in read.asked] == [
        ("Jo Marsh", ""),
        ("Jo Marsh", str(lead)),
        ("Jo Marsh", str(lead)),
    ]
    assert read.totals() == applied_totals(case=history)  # what the limits count, without a query
    assert read.totals()["goodwill_credit"] == (Decimal("10.05"), 2)


def test_the_panel_costs_two_queries_whatever_the_history(
    rf: Any, history: Case, agent: StaffUser, django_assert_num_queries: Any
) -> None:
    from tests.support.factories import CustomerFactory
    from touchpoint.cases.actors import SYSTEM
    from touchpoint.console.views.remedies import remedy_panel
    from touchpoint.flows.advance import case_open

    request = rf.get("/")
    request.user = agent
    fresh = case_open(journey="mini-repair", customer=CustomerFactory(), actor=SYSTEM, data={"model": "nano-4g"}).case
    remedy_panel(request, fresh)  # the first look parses the policy in force
    for each in (fresh, history):
        case = Case.objects.select_related("customer", "journey").get(pk=each.pk)  # as the case view has it
        with django_assert_num_queries(2):
            panel = remedy_panel(request, case)
        assert panel is not None
        assert len(panel["forms"]) == 6


def test_the_panel_shows_the_history_escaped_and_a_lead_a_way_to_decide(
    rf: Any, history: Case, agent: StaffUser, lead: StaffUser
) -> None:
    from django.template.loader import render_to_string

    from touchpoint.console.views.remedies import remedy_panel

    def drawn(panel: dict[str, Any] | None) -> tuple[str, str, str]:
        """The panel as the case view draws it: its given-and-decided list, its waiting list, all of it."""
        assert panel is not None
        html = render_to_string("console/remedies/_panel.html", {"panel": panel}, request=request)
        waiting = html.split("<h3>Waiting for a lead</h3>", 1)[-1].split("</ul>", 1)[0]
        return html.split("<h3>Given and decided</h3>", 1)[-1], waiting, html

    request = rf.get("/")
    request.user = agent
    given, pending, html = drawn(remedy_panel(request, history))
    assert "Goodwill credit £7.50 by Jo Marsh," in given
    assert f"Goodwill credit £2.55 by Jo Marsh, approved by {lead}," in given
    assert "“Late &lt;b&gt;box&lt;/b&gt; &amp; &quot;sorry&quot;” (rule <code>goodwill_credit.agent-standard" in given
    assert f"Fee waiver £50.00 declined by {lead}: “Not &lt;this&gt; time”" in given
    assert "Refund £40.00, asked by Jo Marsh: “Screen &lt;cracked&gt; &amp; late” —" in pending
    assert "a lead decides by <time datetime=" in pending
    assert "decide</a>" not in pending  # an agent doesn't decide
    assert 'name="goodwill_credit-amount"' in html

    request.user = lead
    waiting = RemedyRequest.objects.get(case=history, status=RequestStatus.PENDING)
    with at(waiting.due_at + timedelta(minutes=1)):
        _, pending, _ = drawn(remedy_panel(request, history))
    assert '<span class="badge risk">overdue</span> was due <time' in pending
    assert f'href="/console/remedies/requests/#request-{waiting.pk}">decide</a>' in pending


def test_a_new_policy_in_force_is_seen_at_once() -> None:
    first = policy_in_force()
    assert first is policy_active()[1]  # parsed once per version
    assert policy_in_force() is first
    policy_save(source=DEFAULT_POLICY.read_text().replace("name: demo-shop", "name: next-shop"), user=None)
    assert policy_in_force().name == "next-shop"


def test_after_a_refusal_the_pages_other_forms_carry_the_case_as_stored(
    client: Any, new_case: Case, agent: StaffUser
) -> None:
    import re

    from django.urls import reverse

    client.force_login(agent)
    page = client.get(reverse("console:case_remedies", args=[new_case.reference])).content.decode()
    version = re.search(r'name="goodwill_credit-version" value="(\d+)"', page)
    assert version is not None
    refused = client.post(
        reverse("console:remedy_give", args=[new_case.reference]),
        {
            "kind": "goodwill_credit",
            "goodwill_credit-version": version.group(1),
            "goodwill_credit-nonce": "n1",
            "goodwill_credit-amount": "60",
            "goodwill_credit-reason": "Too much",
            "action": "apply",
        },
    )
    assert refused.status_code == 400
    new_case.refresh_from_db()
    drawn = re.findall(r'name="[a-z_]+-version" value="(\d+)"', refused.content.decode())
    assert drawn and set(drawn) == {str(new_case.version)}  # not the version the refused attempt rolled back
