"""Remedies given within a limit, asked for over it, and decided by a lead: exact records, the
timeline, the customer's message, and on every refusal nothing written at all."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from tests.remedies.acts import ask, give
from touchpoint.cases.errors import CaseConflict
from touchpoint.cases.models import Case, Task, TaskKind, TaskStatus, TimelineEntry
from touchpoint.flows.walkins import WalkIn, walkin_open
from touchpoint.outbox.models import OutboxMessage
from touchpoint.remedies.errors import RemedyRefused
from touchpoint.remedies.models import Remedy, RemedyRequest, RequestStatus
from touchpoint.remedies.services.policies import policy_active
from touchpoint.remedies.services.remedies import remedy_apply, remedy_options
from touchpoint.remedies.services.requests import remedy_request_decide
from touchpoint.staff.models import StaffUser

pytestmark = pytest.mark.django_db


def snapshot(case: Case) -> tuple[int, int, int, int, int, int]:
    case.refresh_from_db()
    return (
        case.version,
        Remedy.objects.count(),
        RemedyRequest.objects.count(),
        TimelineEntry.objects.filter(case=case).count(),
        OutboxMessage.objects.filter(case=case).count(),
        Task.objects.count(),
    )


def test_an_agent_gives_a_goodwill_credit_within_the_limit(new_case: Case, agent: StaffUser, at_noon: datetime) -> None:
    version_before = new_case.version
    remedy = give(new_case, agent, "goodwill_credit", "10", "n-1")

    policy, _ = policy_active()
    assert (remedy.kind, remedy.amount, remedy.currency, remedy.reason) == (
        "goodwill_credit",
        Decimal("10.00"),
        "gbp",
        "Late by a week",
    )
    assert (remedy.applied_by, remedy.approved_by, remedy.policy, remedy.rule) == (
        agent,
        None,
        policy,
        "goodwill_credit.agent-standard",
    )
    new_case.refresh_from_db()
    assert new_case.version == version_before + 1
    entry = TimelineEntry.objects.filter(case=new_case).last()
    assert entry is not None
    assert entry.summary == "A goodwill credit of £10.00 by Jo Marsh — rule goodwill_credit.agent-standard"
    assert (entry.event, entry.actor_user, entry.detail["rule"], entry.detail["amount"]) == (
        "remedy_applied",
        agent,
        "goodwill_credit.agent-standard",
        "10.00",
    )
    message = OutboxMessage.objects.get(idempotency_key=f"remedy:{remedy.pk}")
    assert message.recipient == "ian@example.com"
    assert message.subject == f"{new_case.reference}: a goodwill credit of £10.00"
    assert message.body_text.startswith(
        "Hello Ian,\n\nWe've added a goodwill credit of £10.00 to your account. "
        "It comes off your next repair or order with us.\n\nYour case and everything that happens to it: "
    )
    assert "/c/" in message.body_text
    assert message.body_text.endswith("To talk to a person, just reply to this email: a person reads every reply.")


def test_a_penny_over_the_limit_is_refused_and_nothing_is_written(new_case: Case, agent: StaffUser) -> None:
    before = snapshot(new_case)
    with pytest.raises(RemedyRefused) as refused:
        give(new_case, agent, "goodwill_credit", "10.01", "n-1")
    assert str(refused.value) == (
        "£10.01 is over what you may give here: £10.00 left of your £10.00 per case "
        "(rule goodwill_credit.agent-standard) — ask a lead for more"
    )
    assert refused.value.field == "amount"
    assert snapshot(new_case) == before


def test_limits_count_what_the_case_already_had(new_case: Case, agent: StaffUser) -> None:
    give(new_case, agent, "goodwill_credit", "6", "n-1")
    before = snapshot(new_case)
    with pytest.raises(RemedyRefused, match=r"^£5\.00 is over what you may give here: £4\.00 left of your £10\.00"):
        give(new_case, agent, "goodwill_credit", "5", "n-2")
    assert snapshot(new_case) == before
    assert give(new_case, agent, "goodwill_credit", "4", "n-3").amount == Decimal("4.00")
    assert list(Remedy.objects.filter(case=new_case).values_list("amount", flat=True).order_by("pk")) == [
        Decimal("6.00"),
        Decimal("4.00"),
    ]


def test_the_same_form_sent_twice_gives_one_remedy(new_case: Case, agent: StaffUser) -> None:
    first = give(new_case, agent, "goodwill_credit", "5", "n-1")
    after_first = snapshot(new_case)
    second = remedy_apply(
        case=new_case,
        user=agent,
        kind="goodwill_credit",
        amount="5",
        reason="Late by a week",
        expected_version=1,  # the page the second click came from is stale too: the nonce answers first
        idempotency_key="n-1",
    )
    assert second.pk == first.pk
    assert snapshot(new_case) == after_first


def test_a_stale_page_is_refused(new_case: Case, agent: StaffUser) -> None:
    new_case.refresh_from_db()
    stale = new_case.version
    give(new_case, agent, "goodwill_credit", "1", "n-1")
    before = snapshot(new_case)
    with pytest.raises(CaseConflict, match="was changed by someone else"):
        remedy_apply(
            case=new_case,
            user=agent,
            kind="goodwill_credit",
            amount="1",
            reason="x",
            expected_version=stale,
            idempotency_key="n-2",
        )
    assert snapshot(new_case) == before


@pytest.mark.parametrize(
    ("amount", "reason", "field", "message"),
    [
        ("5", "   ", "reason", "say why, in a sentence: it is recorded with the remedy"),
        ("", "Late", "amount", "give the amount, e.g. 10 or 12.50"),
        ("ten", "Late", "amount", "`ten` is not an amount — write e.g. 10 or 12.50"),
        ("-3", "Late", "amount", "the amount must be more than zero"),
        ("1.005", "Late", "amount", "give the amount in pennies at most, e.g. 12.50"),
    ],
)
def test_bad_input_is_refused_beside_its_field(
    new_case: Case, agent: StaffUser, amount: str, reason: str, field: str, message: str
) -> None:
    before = snapshot(new_case)
    with pytest.raises(RemedyRefused) as refused:
        give(new_case, agent, "goodwill_credit", amount, "n-1", reason=reason)
    assert (refused.value.field, str(refused.value)) == (field, message)
    assert snapshot(new_case) == before


def test_what_an_agent_may_do_for_a_standard_customer(new_case: Case, agent: StaffUser) -> None:
    options = {
        o.kind: (o.allowance.rule_key, o.allowance.remaining, o.can_apply, o.can_ask, o.ceiling)
        for o in remedy_options(case=new_case, user=agent)
    }
    assert options == {
        "goodwill_credit": ("goodwill_credit.agent-standard", Decimal("10"), True, True, Decimal("75")),
        "refund": ("refund.agent", Decimal("20"), True, True, Decimal("500")),
        "fee_waiver": ("fee_waiver.agent", Decimal("30"), True, True, Decimal("100")),
        "replacement": ("replacement.agent", 1, True, True, 3),
        "expedited_return": ("expedited_return.everyone", 1, True, False, 0),
        "warranty_swap_without_receipt": ("warranty_swap_without_receipt.agent-standard", 1, True, False, 1),
    }


def test_a_gold_customer_gets_the_larger_agent_limit(new_case: Case, agent: StaffUser) -> None:
    new_case.customer.tier = "gold"
    new_case.customer.save()
    remedy = give(new_case, agent, "goodwill_credit", "25", "n-1")
    assert (remedy.amount, remedy.rule) == (Decimal("25.00"), "goodwill_credit.agent-loyal")


def test_a_condition_decides_a_swap_without_receipt(new_case: Case, agent: StaffUser) -> None:
    # given a walk-in the counter found out of warranty (the counter form's answer)
    walkin = walkin_open(
        walkin=WalkIn("Nano earbuds", "", "One side is silent.", in_warranty=False, has_receipt=False),
        by=agent,
        nonce="w-1",
        customer=new_case.customer,
    )
    before = snapshot(walkin)
    with pytest.raises(RemedyRefused) as refused:
        give(walkin, agent, "warranty_swap_without_receipt", None, "n-1")
    assert str(refused.value) == (
        "the policy doesn't let you give a warranty swap without receipt on this case — ask a lead instead"
    )
    assert snapshot(walkin) == before
    # a case whose journey doesn't know the warranty at all (a mail-in repair): the benefit of the doubt
    remedy = give(new_case, agent, "warranty_swap_without_receipt", None, "n-2")
    assert (remedy.amount, remedy.rule) == (None, "warranty_swap_without_receipt.agent-standard")


def test_a_counted_remedy_stops_at_its_count(new_case: Case, agent: StaffUser) -> None:
    give(new_case, agent, "replacement", None, "n-1")
    before = snapshot(new_case)
    with pytest.raises(RemedyRefused) as refused:
        give(new_case, agent, "replacement", None, "n-2")
    assert (
        str(refused.value) == "this case has had its 1 replacement under rule replacement.agent — ask a lead for more"
    )
    assert snapshot(new_case) == before


# --- over the limit: ask a lead --------------------------------------------------------------


def test_asking_a_lead_opens_a_due_task_and_tells_the_customer_when(
    new_case: Case, agent: StaffUser, at_noon: datetime
) -> None:
    request = ask(new_case, agent, "refund", "40")

    assert (request.status, request.amount, request.asked_by, request.due_at) == (
        RequestStatus.PENDING,
        Decimal("40.00"),
        agent,
        at_noon + timedelta(hours=4),
    )
    task = Task.objects.get(pk=request.task_id)
    assert (task.kind, task.owner, task.priority, task.due_at, task.status, task.case) == (
        TaskKind.REMEDY_APPROVAL,
        "team:care",
        1,
        at_noon + timedelta(hours=4),
        TaskStatus.OPEN,
        new_case,
    )
    assert task.title == f"{new_case.reference}: approve a refund of £40.00? (asked by Jo Marsh)"
    entry = TimelineEntry.objects.filter(case=new_case).last()
    assert entry is not None
    assert entry.summary == "Jo Marsh asked a lead for a refund of £40.00; a lead decides by 16:00 today"
    message = OutboxMessage.objects.get(idempotency_key=f"remedy-request:{request.pk}")
    assert message.subject == f"{new_case.reference}: a refund of £40.00: a team lead decides by 16:00 today"
    assert (
        "Jo has asked a team lead to approve a refund of £40.00 for you. A team lead will decide by "
        "16:00 today, and we'll write to you either way."
    ) in message.body_text
    assert Remedy.objects.count() == 0


@pytest.mark.parametrize(
    ("kind", "amount", "message"),
    [
        ("refund", "20", "that is within your own limit (rule refund.agent): give it now, no lead needed"),
        ("refund", "500.01", "no lead may approve that much under the policy: the most for this case is £500.00"),
        (
            "expedited_return",
            None,
            "the policy gives no more expedited return than the limits allow: nobody can approve more",
        ),
    ],
)
def test_a_request_that_makes_no_sense_is_refused(
    new_case: Case, agent: StaffUser, kind: str, amount: str | None, message: str
) -> None:
    before = snapshot(new_case)
    with pytest.raises(RemedyRefused) as refused:
        ask(new_case, agent, kind, amount)
    assert str(refused.value) == message
    assert snapshot(new_case) == before


def test_one_waiting_request_per_remedy(new_case: Case, agent: StaffUser, at_noon: datetime) -> None:
    ask(new_case, agent, "refund", "40", key="ask-1")
    before = snapshot(new_case)
    with pytest.raises(RemedyRefused) as refused:
        ask(new_case, agent, "refund", "60", key="ask-2")
    assert str(refused.value) == (
        "a refund request is already waiting for a lead (asked by Jo Marsh at 12:00 today): one at a time"
    )
    assert snapshot(new_case) == before


def test_the_lead_approves_and_the_remedy_is_given_under_the_leads_rule(
    new_case: Case, agent: StaffUser, lead: StaffUser, at_noon: datetime
) -> None:
    request = ask(new_case, agent, "refund", "40")

    decided = remedy_request_decide(request=request, lead=lead, approve=True, reason="Our courier broke it")

    assert (decided.status, decided.decided_by, decided.decided_at, decided.decision_reason) == (
        RequestStatus.APPROVED,
        lead,
        at_noon,
        "Our courier broke it",
    )
    remedy = Remedy.objects.get()
    assert (remedy.amount, remedy.applied_by, remedy.approved_by, remedy.rule, remedy.request_id) == (
        Decimal("40.00"),
        agent,
        lead,
        "refund.lead",
        request.pk,
    )
    task = Task.objects.get(pk=request.task_id)
    assert (task.status, task.closed_by, task.closed_at) == (TaskStatus.DONE, lead, at_noon)
    entry = TimelineEntry.objects.filter(case=new_case).last()
    assert entry is not None
    assert entry.summary == "A refund of £40.00 by Jo Marsh, approved by Sam — rule refund.lead"
    message = OutboxMessage.objects.get(idempotency_key=f"remedy:{remedy.pk}")
    assert "A team lead has said yes.\n\nWe're refunding £40.00." in message.body_text
    payout = Task.objects.get(source_key=f"refund-payout:{remedy.pk}")
    assert (payout.kind, payout.owner, payout.priority, payout.due_at, payout.title) == (
        TaskKind.PAYMENT_PROBLEM,
        "team:care",
        1,
        at_noon + timedelta(days=1),
        f"{new_case.reference}: pay back the £40.00 refund through the payment provider",
    )


def test_the_lead_declines_and_the_customer_hears_why(
    new_case: Case, agent: StaffUser, lead: StaffUser, at_noon: datetime
) -> None:
    request = ask(new_case, agent, "refund", "40")

    remedy_request_decide(request=request, lead=lead, approve=False, reason="The crack was there when it arrived")

    request.refresh_from_db()
    assert (request.status, request.decided_by) == (RequestStatus.DECLINED, lead)
    assert Remedy.objects.count() == 0
    assert Task.objects.get(pk=request.task_id).status == TaskStatus.DONE
    message = OutboxMessage.objects.get(idempotency_key=f"remedy-declined:{request.pk}")
    assert message.subject == f"{new_case.reference}: about a refund of £40.00"
    assert (
        "A team lead has looked at a refund of £40.00 for you, and we can't give it this time.\n\n"
        "Why: The crack was there when it arrived"
    ) in message.body_text


def test_who_may_decide(new_case: Case, agent: StaffUser, lead: StaffUser, admin_user: StaffUser) -> None:
    from tests.support.factories import StaffFactory

    other_agent = StaffFactory(username="sam2")
    request = ask(new_case, lead, "refund", "200")  # over the lead's own £150
    before = snapshot(new_case)
    for person, message in (
        (other_agent, "only a lead or an admin decides remedy requests"),
        (lead, "you asked for this one: another lead decides it"),
    ):
        with pytest.raises(RemedyRefused) as refused:
            remedy_request_decide(request=request, lead=person, approve=True, reason="ok")
        assert str(refused.value) == message
        assert snapshot(new_case) == before
    remedy_request_decide(request=request, lead=admin_user, approve=True, reason="Long-standing customer")
    assert Remedy.objects.get().rule == "refund.admin"


def test_a_lead_cant_approve_beyond_their_own_limit(new_case: Case, agent: StaffUser, lead: StaffUser) -> None:
    request = ask(new_case, agent, "refund", "300")
    before = snapshot(new_case)
    with pytest.raises(RemedyRefused) as refused:
        remedy_request_decide(request=request, lead=lead, approve=True, reason="fine")
    assert str(refused.value) == (
        "that is over your own limit for this case (£150.00 left, rule refund.lead) — decline it with a reason, "
        "or ask an admin to decide"
    )
    assert snapshot(new_case) == before
    request.refresh_from_db()
    assert request.status == RequestStatus.PENDING


def test_a_decided_request_cant_be_decided_again(
    new_case: Case, agent: StaffUser, lead: StaffUser, admin_user: StaffUser, at_noon: datetime
) -> None:
    request = ask(new_case, agent, "refund", "40")
    remedy_request_decide(request=request, lead=lead, approve=False, reason="No")
    before = snapshot(new_case)
    with pytest.raises(RemedyRefused) as refused:
        remedy_request_decide(request=request, lead=admin_user, approve=True, reason="Yes")
    assert str(refused.value) == "this request was already declined by Sam at 12:00 — nothing to do"
    assert snapshot(new_case) == before
