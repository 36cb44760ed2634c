"""The remedies panel and the leads' page through Django's test client: forms that re-render what
was typed with the error beside its field, a limit that an edited form can't exceed, and request
addresses that only work through their own case (no IDOR)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from touchpoint.cases.models import Case, TimelineEntry
from touchpoint.outbox.models import OutboxMessage
from touchpoint.remedies.models import Remedy, RemedyRequest, RequestStatus
from touchpoint.remedies.services.requests import remedy_request
from touchpoint.staff.models import StaffUser

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent(db: Any) -> StaffUser:
    from tests.support.factories import StaffFactory

    return StaffFactory(username="jo", first_name="Jo", last_name="Marsh", teams=["care"])


def state(case: Case) -> tuple[int, int, int, int, int]:
    case.refresh_from_db()
    return (
        case.version,
        Remedy.objects.count(),
        RemedyRequest.objects.count(),
        TimelineEntry.objects.filter(case=case).count(),
        OutboxMessage.objects.filter(case=case).count(),
    )


def form_of(client: Client, case: Case, kind: str) -> dict[str, str]:
    """The hidden fields of ``kind``'s form as the page drew them (version and nonce)."""
    page = client.get(reverse("console:case_remedies", args=[case.reference])).content.decode()
    version = re.search(rf'name="{kind}-version" value="(\d+)"', page)
    nonce = re.search(rf'name="{kind}-nonce" value="([^"]+)"', page)
    assert version and nonce, f"no {kind} form on the page"
    return {"kind": kind, f"{kind}-version": version.group(1), f"{kind}-nonce": nonce.group(1)}


def give_url(case: Case) -> str:
    return reverse("console:remedy_give", args=[case.reference])


def ask_lead(case: Case, agent: StaffUser, amount: str = "40", key: str = "k1") -> RemedyRequest:
    case.refresh_from_db()
    return remedy_request(
        case=case,
        user=agent,
        kind="refund",
        amount=amount,
        reason="Cracked in our care",
        expected_version=case.version,
        idempotency_key=key,
    )


def test_a_visitor_who_isnt_signed_in_is_sent_to_sign_in(client: Client, new_case: Case) -> None:
    for url in (reverse("console:case_remedies", args=[new_case.reference]), reverse("console:remedy_requests")):
        response = client.get(url)
        assert response.status_code == 302
        assert "login" in response["Location"]


def test_the_panel_lists_what_this_agent_may_do_with_limit_and_rule(
    client: Client, new_case: Case, agent: StaffUser, django_assert_max_num_queries: Any
) -> None:
    client.force_login(agent)
    url = reverse("console:case_remedies", args=[new_case.reference])
    client.get(url)  # the first look stores the shipped policy
    with django_assert_max_num_queries(9):
        page = client.get(url).content.decode()
    assert (
        "You may give £10.00 on this case now, no manager needed (rule <code>goodwill_credit.agent-standard</code>)."
        in page
    )
    assert "A lead can approve up to £75.00 and decides within 4h." in page
    assert page.count('name="action" value="ask"') == 4  # goodwill, refund, fee waiver, replacement
    assert 'aria-describedby="id_goodwill_credit-amount-hint"' in page


def test_an_agent_gives_a_credit_within_the_limit(client: Client, new_case: Case, agent: StaffUser) -> None:
    client.force_login(agent)
    data = form_of(client, new_case, "goodwill_credit")
    response = client.post(
        give_url(new_case),
        {**data, "goodwill_credit-amount": "7.50", "goodwill_credit-reason": "Late box", "action": "apply"},
    )
    assert response.status_code == 302
    assert response["Location"].endswith("?remedy=given#remedies")
    remedy = Remedy.objects.get()
    assert (remedy.amount, remedy.applied_by, remedy.rule, remedy.reason) == (
        Decimal("7.50"),
        agent,
        "goodwill_credit.agent-standard",
        "Late box",
    )
    again = client.post(
        give_url(new_case),
        {**data, "goodwill_credit-amount": "7.50", "goodwill_credit-reason": "Late box", "action": "apply"},
    )
    assert again.status_code == 302  # a double click: the same form gives once
    assert Remedy.objects.count() == 1


def test_a_kept_form_shows_what_is_left_at_once_with_this_pages_version_and_nonce_and_each_persons_own_limit(
    client: Client, new_case: Case, agent: StaffUser, lead: StaffUser
) -> None:
    """A fresh form's fields are kept per process under the words they show (remedy_forms.FreshRemedy):
    a credit given changes what is left on the very next page, each page carries its own version and
    nonces, and a lead on the same case sees the lead's limits."""
    client.force_login(agent)
    url = reverse("console:case_remedies", args=[new_case.reference])
    first = client.get(url).content.decode()
    assert "You may give £10.00 on this case now" in first
    data = form_of(client, new_case, "goodwill_credit")
    given = {**data, "goodwill_credit-amount": "7.50", "goodwill_credit-reason": "Late box", "action": "apply"}
    assert client.post(give_url(new_case), given).status_code == 302
    page = client.get(url).content.decode()
    assert "You may give £2.50 on this case now" in page and "You may give £10.00" not in page
    assert 'aria-describedby="id_goodwill_credit-amount-hint"' in page
    again = form_of(client, new_case, "goodwill_credit")
    assert int(again["goodwill_credit-version"]) > int(data["goodwill_credit-version"])
    assert again["goodwill_credit-nonce"] != data["goodwill_credit-nonce"]
    nonces = re.findall(r'name="[a-z_]+-nonce" value="([^"]+)"', page)
    assert len(nonces) == 6 and len(set(nonces)) == 6  # one per form, never a kept one
    client.force_login(lead)
    theirs = client.get(url).content.decode()
    assert "(rule <code>goodwill_credit.lead</code>)" in theirs and "You may give £2.50" not in theirs


def test_an_edited_form_cant_exceed_the_limit(client: Client, new_case: Case, agent: StaffUser) -> None:
    client.force_login(agent)
    data = form_of(client, new_case, "goodwill_credit")
    before = state(new_case)
    # the browser's developer tools removed `max`, renamed the button, added fields of their own
    response = client.post(
        give_url(new_case),
        {
            **data,
            "goodwill_credit-amount": "60",
            "goodwill_credit-reason": "Because I can",
            "action": "apply",
            "limit": "1000",
            "rule": "goodwill_credit.lead",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert (
        '<p class="field-error" id="id_goodwill_credit-amount-error">£60.00 is over what you may give here: '
        "£10.00 left of your £10.00 per case (rule goodwill_credit.agent-standard) — ask a lead for more</p>"
    ) in page
    assert (
        'aria-invalid="true" aria-describedby="id_goodwill_credit-amount-error id_goodwill_credit-amount-hint"' in page
    )
    assert "\nBecause I can</textarea>" in page  # nothing typed is lost
    assert 'value="60"' in page
    assert state(new_case) == before


def test_a_missing_reason_is_said_beside_it_and_the_amount_stays(
    client: Client, new_case: Case, agent: StaffUser
) -> None:
    client.force_login(agent)
    data = form_of(client, new_case, "refund")
    before = state(new_case)
    response = client.post(give_url(new_case), {**data, "refund-amount": "12", "refund-reason": "", "action": "apply"})
    assert response.status_code == 400
    page = response.content.decode()
    assert '<p class="field-error" id="id_refund-reason-error">This field is required.</p>' in page
    assert 'name="refund-amount" value="12"' in page
    assert state(new_case) == before


def test_a_stale_page_is_refused_with_a_clear_message(client: Client, new_case: Case, agent: StaffUser) -> None:
    client.force_login(agent)
    data = form_of(client, new_case, "refund")
    Case.objects.filter(pk=new_case.pk).update(version=new_case.version + 1)  # someone else acted meanwhile
    before = state(new_case)
    response = client.post(
        give_url(new_case), {**data, "refund-amount": "5", "refund-reason": "Sorry", "action": "apply"}
    )
    assert response.status_code == 409
    assert "was changed by someone else while you were looking at it" in response.content.decode()
    assert state(new_case) == before


def test_a_remedy_the_policy_doesnt_have_is_refused(client: Client, new_case: Case, agent: StaffUser) -> None:
    client.force_login(agent)
    before = state(new_case)
    response = client.post(give_url(new_case), {"kind": "free_holiday", "action": "apply"})
    assert response.status_code == 400
    assert "That remedy isn&#x27;t in the policy in force: pick one listed here." in response.content.decode()
    assert state(new_case) == before


def test_asking_a_lead_from_the_panel(client: Client, new_case: Case, agent: StaffUser) -> None:
    client.force_login(agent)
    data = form_of(client, new_case, "refund")
    response = client.post(
        give_url(new_case),
        {**data, "refund-amount": "45", "refund-reason": "Screen cracked in transit", "action": "ask"},
    )
    assert response.status_code == 302
    assert response["Location"].endswith("?remedy=asked#remedies")
    request = RemedyRequest.objects.get()
    assert (request.amount, request.status, request.asked_by) == (Decimal("45.00"), RequestStatus.PENDING, agent)
    page = client.get(reverse("console:case_remedies", args=[new_case.reference]) + "?remedy=asked").content.decode()
    assert "Asked: a lead decides in time" in page
    assert "asked by Jo Marsh: “Screen cracked in transit”" in page


def test_an_agent_cant_open_the_leads_page_or_decide(client: Client, new_case: Case, agent: StaffUser) -> None:
    from tests.support.factories import StaffFactory

    request = ask_lead(new_case, StaffFactory(username="kim"))
    client.force_login(agent)
    assert client.get(reverse("console:remedy_requests")).status_code == 403
    before = state(new_case)
    url = reverse("console:remedy_request_decide", args=[new_case.reference, request.pk])
    assert client.post(url, {f"r{request.pk}-reason": "ok", "action": "approve"}).status_code == 403
    assert state(new_case) == before


def test_the_leads_page_lists_waiting_requests_oldest_first_in_few_queries(
    client: Client,
    customer: Any,
    mini_journey: Any,
    agent: StaffUser,
    lead: StaffUser,
    django_assert_max_num_queries: Any,
) -> None:
    from tests.support.factories import CustomerFactory
    from touchpoint.cases.actors import SYSTEM
    from touchpoint.flows.advance import case_open

    references = []
    for i in range(4):
        who = customer if i == 0 else CustomerFactory()
        case = case_open(journey="mini-repair", customer=who, actor=SYSTEM, data={"model": "nano-4g"}).case
        ask_lead(case, agent, amount=str(30 + i), key=f"k{i}")
        references.append(case.reference)
    client.force_login(lead)
    with django_assert_max_num_queries(8):
        page = client.get(reverse("console:remedy_requests")).content.decode()
    assert [page.index(r) for r in references] == sorted(page.index(r) for r in references)
    assert "Refund of £30.00" in page
    assert "4 waiting" in page


def test_a_request_only_opens_through_its_own_case(
    client: Client, new_case: Case, customer: Any, agent: StaffUser, lead: StaffUser
) -> None:
    from tests.support.factories import CustomerFactory
    from touchpoint.cases.actors import SYSTEM
    from touchpoint.flows.advance import case_open

    other = case_open(journey="mini-repair", customer=CustomerFactory(), actor=SYSTEM, data={"model": "nano-4g"}).case
    request = ask_lead(new_case, agent)
    client.force_login(lead)
    before = state(new_case)
    for reference, pk in ((other.reference, request.pk), (new_case.reference, request.pk + 1000)):
        url = reverse("console:remedy_request_decide", args=[reference, pk])
        response = client.post(url, {f"r{request.pk}-reason": "ok", "action": "approve"})
        assert response.status_code == 404
        assert "That request isn&#x27;t on that case" in response.content.decode()
    assert state(new_case) == before
    assert RemedyRequest.objects.get().status == RequestStatus.PENDING


def test_the_lead_approves_then_a_second_decision_is_refused(
    client: Client, new_case: Case, agent: StaffUser, lead: StaffUser
) -> None:
    request = ask_lead(new_case, agent)
    client.force_login(lead)
    url = reverse("console:remedy_request_decide", args=[new_case.reference, request.pk])
    blank = client.post(url, {f"r{request.pk}-reason": "", "action": "approve"})
    assert blank.status_code == 400
    assert f'id="id_r{request.pk}-reason-error">This field is required.</p>' in blank.content.decode()
    assert Remedy.objects.count() == 0

    response = client.post(url, {f"r{request.pk}-reason": "Our courier", "action": "approve"})
    assert response.status_code == 302
    assert response["Location"] == reverse("console:remedy_requests") + f"?decided={request.pk}"
    remedy = Remedy.objects.get()
    assert (remedy.amount, remedy.applied_by, remedy.approved_by, remedy.rule) == (
        Decimal("40.00"),
        agent,
        lead,
        "refund.lead",
    )

    before = state(new_case)
    again = client.post(url, {f"r{request.pk}-reason": "Again", "action": "decline"})
    assert again.status_code == 409
    assert "this request was already approved by Sam at" in again.content.decode()
    assert state(new_case) == before


def test_the_case_views_panel_comes_from_the_registry(rf: Any, new_case: Case, agent: StaffUser, customer: Any) -> None:
    from django.contrib.auth.models import AnonymousUser

    from touchpoint.console.panels import panels_for

    request = rf.get("/")
    request.user = agent
    panels = {p.area: p for p in panels_for(request, new_case)}
    assert panels["remedies"].template == "console/remedies/_panel.html"
    assert [form.option.kind for form in panels["remedies"].context["forms"]] == [
        "goodwill_credit",
        "refund",
        "fee_waiver",
        "replacement",
        "expedited_return",
        "warranty_swap_without_receipt",
    ]
    request.user = AnonymousUser()
    assert "remedies" not in {p.area for p in panels_for(request, new_case)}
