"""Remedies over the asker's limit: one click asks a lead, who has the policy's ``decide_within``.

The customer is told when they'll hear, a task with that due time lands in the approvers' queue,
and the lead's decision is recorded, told and closes the task, in one transaction each."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from touchpoint.cases.actors import staff_actor
from touchpoint.cases.models import Case, Task, TaskKind, TimelineKind
from touchpoint.cases.services.tasks import task_close, task_open
from touchpoint.cases.services.timeline import timeline_append
from touchpoint.core.clock import now
from touchpoint.core.promises import by_words, when_words
from touchpoint.remedies.errors import RemedyRefused
from touchpoint.remedies.models import RemedyRequest, RequestStatus
from touchpoint.remedies.money import currency, format_money
from touchpoint.remedies.services.messages import remedy_words, tell_asked, tell_declined
from touchpoint.remedies.services.policies import policy_of
from touchpoint.remedies.services.remedies import clean_amount, clean_reason, lock_case, remedy_option, remedy_record
from touchpoint.staff.access import has_role
from touchpoint.staff.models import StaffUser


def remedy_request(
    *,
    case: Case,
    user: StaffUser,
    kind: str,
    amount: Decimal | str | None,
    reason: str,
    expected_version: int,
    idempotency_key: str,
) -> RemedyRequest:
    """Ask a lead for a remedy over ``user``'s own limit. Refused (nothing written) when it is within
    the limit (give it), above what any lead could approve, or the same remedy is already waiting.

    Opens its own transaction; the caller holds nothing."""
    done = RemedyRequest.objects.filter(idempotency_key=idempotency_key).first()
    if done is not None:
        if done.case_id != case.pk or done.kind != kind:
            raise RemedyRefused("this form was already used for something else — reload the page")
        return done
    text = clean_reason(reason)
    with transaction.atomic():
        lock_case(case=case, expected_version=expected_version)
        version, option = remedy_option(case=case, user=user, kind=kind)
        value = clean_amount(amount, monetary=option.monetary)
        label = option.label.lower()
        if option.over_limit != "ask_lead" or option.decide_within is None:
            raise RemedyRefused(f"the policy gives no more {label} than the limits allow: nobody can approve more")
        own, wanted = option.allowance, value if value is not None else 1
        if own.rule is not None and wanted <= own.remaining:
            raise RemedyRefused(
                f"that is within your own limit (rule {own.rule_key}): give it now, no lead needed",
                field="amount" if option.monetary else "",
            )
        if wanted > option.ceiling:
            most = format_money(option.ceiling) if option.monetary else f"{option.ceiling}"
            raise RemedyRefused(
                f"no lead may approve that much under the policy: the most for this case is {most}"
                if option.ceiling
                else f"the policy lets nobody give a {label} on this case now",
                field="amount" if option.monetary else "",
            )
        waiting = RemedyRequest.objects.filter(case=case, kind=kind, status=RequestStatus.PENDING).first()
        if waiting is not None:
            raise RemedyRefused(
                f"a {label} request is already waiting for a lead (asked by {waiting.asked_by} at "
                f"{when_words(waiting.asked_at)}): one at a time"
            )
        at, code = now(), currency()
        due = at + timedelta(seconds=option.decide_within)
        request = RemedyRequest.objects.create(
            case=case,
            kind=kind,
            amount=value,
            currency=code,
            reason=text,
            asked_by=user,
            asked_at=at,
            policy=version,
            due_at=due,
            idempotency_key=idempotency_key,
        )
        what = remedy_words(kind=kind, amount=value, currency=code)
        request.task = task_open(
            kind=TaskKind.REMEDY_APPROVAL,
            owner=policy_of(version).approvers,
            title=f"{case.reference}: approve {what}? (asked by {user})",
            case=case,
            detail=text,
            due_at=due,
            priority=1,
            source_key=f"remedy-request:{request.pk}",
        )
        request.save(update_fields=["task"])
        timeline_append(
            case=case,
            kind=TimelineKind.NOTE,
            actor=staff_actor(user),
            summary=f"{user} asked a lead for {what}; a lead decides {by_words(due)}",
            at=at,
            event="remedy_requested",
            detail={
                "request": request.pk,
                "kind": kind,
                "amount": None if value is None else str(value),
                "reason": text,
            },
        )
        asker = user.first_name or str(user)
        tell_asked(
            case=case,
            kind=kind,
            amount=value,
            currency=code,
            asker=asker,
            due_at=due,
            key=f"remedy-request:{request.pk}",
        )
        return request


def remedy_request_decide(*, request: RemedyRequest, lead: StaffUser, approve: bool, reason: str) -> RemedyRequest:
    """A lead or admin approves (the remedy is given, recorded as approved by them, under *their*
    rule) or declines (the customer is told why) a waiting request; either way its task closes.

    Refused, nothing written: someone without the role; the person who asked (another lead
    decides: four eyes on anything over a limit); a request already decided; an approval beyond
    the decider's own limit for this case now. Opens its own transaction; the caller holds nothing."""
    if not has_role(lead, "lead"):
        raise RemedyRefused("only a lead or an admin decides remedy requests")
    if request.asked_by_id == lead.pk:
        raise RemedyRefused("you asked for this one: another lead decides it")
    text = clean_reason(reason)
    case = request.case
    with transaction.atomic():
        locked = RemedyRequest.objects.select_for_update(of=("self",)).select_related("decided_by").get(pk=request.pk)
        if locked.status != RequestStatus.PENDING:
            raise RemedyRefused(
                f"this request was already {locked.get_status_display().lower()} by {locked.decided_by} at "
                f"{timezone.localtime(locked.decided_at):%H:%M} — nothing to do"
                if locked.decided_at
                else "this request was already decided — nothing to do"
            )
        lock_case(case=case, expected_version=None)
        at = now()
        what = remedy_words(kind=locked.kind, amount=locked.amount, currency=locked.currency)
        if approve:
            version, option = remedy_option(case=case, user=lead, kind=locked.kind)
            own, wanted = option.allowance, locked.amount if locked.amount is not None else 1
            if own.rule is None or wanted > own.remaining:
                left = format_money(own.remaining) if option.monetary else str(own.remaining)
                raise RemedyRefused(
                    f"that is over your own limit for this case ({left} left"
                    + (f", rule {own.rule_key}" if own.rule else "")
                    + ") — decline it with a reason, or ask an admin to decide"
                )
            remedy_record(
                case=case,
                version=version,
                kind=locked.kind,
                amount=locked.amount,
                reason=locked.reason,
                applied_by=locked.asked_by,
                approved_by=lead,
                rule=own.rule_key,
                key=f"remedy-request:{locked.pk}",
                request_id=locked.pk,
            )
        else:
            timeline_append(
                case=case,
                kind=TimelineKind.NOTE,
                actor=staff_actor(lead),
                summary=f"{lead} declined {what} asked by {locked.asked_by}: {text}",
                at=at,
                event="remedy_declined",
                detail={"request": locked.pk, "kind": locked.kind, "reason": text},
            )
            tell_declined(
                case=case,
                kind=locked.kind,
                amount=locked.amount,
                currency=locked.currency,
                reason=text,
                key=f"remedy-declined:{locked.pk}",
            )
        locked.status = RequestStatus.APPROVED if approve else RequestStatus.DECLINED
        locked.decided_by, locked.decided_at, locked.decision_reason = lead, at, text
        locked.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
        if locked.task_id is not None:
            task_close(task=Task.objects.get(pk=locked.task_id), user=lead)
        return locked
