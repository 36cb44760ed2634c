"""Remedies given within one's own limit: what a person may do now, and doing it.

The permission is always worked out here, on the server, from the policy in force and the case as
it is inside the transaction: what a form says a limit is counts for nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import F

from touchpoint.cases.actors import staff_actor
from touchpoint.cases.errors import CaseConflict
from touchpoint.cases.models import Case, TaskKind, TimelineKind
from touchpoint.cases.services.tasks import task_open
from touchpoint.cases.services.timeline import timeline_append
from touchpoint.core.clock import now
from touchpoint.journeys.durations import format_duration
from touchpoint.remedies.errors import RemedyRefused
from touchpoint.remedies.models import PolicyVersion, Remedy
from touchpoint.remedies.money import PENNY, currency, format_money
from touchpoint.remedies.policy import KINDS, Allowance, Policy, allowance
from touchpoint.remedies.policy.evaluate import ZERO, ask_ceiling
from touchpoint.remedies.services.context import applied_totals, case_facts, policy_role
from touchpoint.remedies.services.messages import remedy_words, tell_given
from touchpoint.remedies.services.policies import policy_active, policy_of
from touchpoint.remedies.services.waiver import waiver_check, waiver_settle
from touchpoint.staff.models import StaffUser

MAX_REASON = 2000


@dataclass(frozen=True)
class RemedyOption:
    """One remedy as this person may give it on this case now."""

    kind: str
    label: str
    monetary: bool
    allowance: Allowance  # their own: rule, limit, what is left
    over_limit: str  # ask_lead | refuse
    decide_within: int | None  # seconds a lead has, when asking is possible
    ceiling: Decimal | int  # the most a lead or admin could approve on this case now
    applied_amount: Decimal
    applied_count: int

    @property
    def can_apply(self) -> bool:
        return self.allowance.can_apply

    @property
    def can_ask(self) -> bool:
        return self.over_limit == "ask_lead" and self.ceiling > self.allowance.remaining

    @property
    def decide_within_text(self) -> str:
        return format_duration(self.decide_within) if self.decide_within else ""

    @property
    def ceiling_text(self) -> str:
        return format_money(self.ceiling) if self.monetary else f"{self.ceiling}"

    @property
    def remaining_text(self) -> str:
        left = self.allowance.remaining
        return format_money(left) if self.monetary else f"{left} more time" + ("" if left == 1 else "s")


def _options(
    policy: Policy, *, case: Case, role: str, totals: dict[str, tuple[Decimal, int]] | None = None
) -> list[RemedyOption]:
    facts, tier = case_facts(case=case), case.customer.tier
    if totals is None:
        totals = applied_totals(case=case)
    out = []
    for kind, rules in policy.remedies.items():
        if kind not in KINDS:
            continue
        amount, count = totals.get(kind, (ZERO, 0))
        own = allowance(
            policy, kind=kind, role=role, tier=tier, facts=facts, applied_amount=amount, applied_count=count
        )
        ceiling: Decimal | int = 0
        if rules.over_limit == "ask_lead":
            ceiling = ask_ceiling(policy, kind=kind, tier=tier, facts=facts, applied_amount=amount, applied_count=count)
        out.append(
            RemedyOption(
                kind,
                KINDS[kind].label,
                KINDS[kind].monetary,
                own,
                rules.over_limit,
                rules.decide_within,
                ceiling,
                amount,
                count,
            )
        )
    return out


def remedy_options(
    *,
    case: Case,
    user: StaffUser,
    policy: Policy | None = None,
    totals: dict[str, tuple[Decimal, int]] | None = None,
) -> list[RemedyOption]:
    """Every remedy of the policy in force, as ``user`` may give it on ``case`` now. A page that has
    already read the policy in force and what the case had (:func:`~.context.totals_of`) passes
    them; giving a remedy never does (:func:`remedy_option` reads both under the case's lock)."""
    if policy is None:
        _, policy = policy_active()
    return _options(policy, case=case, role=policy_role(user), totals=totals)


def remedy_option(*, case: Case, user: StaffUser, kind: str) -> tuple[PolicyVersion, RemedyOption]:
    version, policy = policy_active()
    for option in _options(policy, case=case, role=policy_role(user)):
        if option.kind == kind:
            return version, option
    raise RemedyRefused(f"the policy in force has no `{kind}` remedy — reload the page and pick one it lists")


def clean_reason(reason: str) -> str:
    text = (reason or "").strip()
    if not text:
        raise RemedyRefused("say why, in a sentence: it is recorded with the remedy", field="reason")
    if len(text) > MAX_REASON:
        raise RemedyRefused(f"keep the reason under {MAX_REASON} characters", field="reason")
    return text


def clean_amount(amount: Decimal | str | None, *, monetary: bool) -> Decimal | None:
    """The amount as an exact sum in pennies, or None for a remedy that isn't money."""
    if not monetary:
        return None
    if amount is None or str(amount).strip() == "":
        raise RemedyRefused("give the amount, e.g. 10 or 12.50", field="amount")
    try:
        value = Decimal(str(amount).strip())
    except InvalidOperation:
        raise RemedyRefused(f"`{amount}` is not an amount — write e.g. 10 or 12.50", field="amount") from None
    if not value.is_finite() or value <= 0:
        raise RemedyRefused("the amount must be more than zero", field="amount")
    if value != value.quantize(PENNY):
        raise RemedyRefused("give the amount in pennies at most, e.g. 12.50", field="amount")
    return value.quantize(PENNY)


def lock_case(*, case: Case, expected_version: int | None) -> None:
    """Hold the case's row for this transaction and bump its version; with ``expected_version``,
    refuse (:class:`CaseConflict`) when someone changed the case since the page was drawn."""
    at = now()
    locked = Case.objects.select_for_update().only("version").get(pk=case.pk)
    if expected_version is not None and locked.version != expected_version:
        raise CaseConflict(case.reference, expected_version, locked.version)
    Case.objects.filter(pk=case.pk).update(version=F("version") + 1, updated_at=at)
    case.version, case.updated_at = locked.version + 1, at


def remedy_apply(
    *,
    case: Case,
    user: StaffUser,
    kind: str,
    amount: Decimal | str | None,
    reason: str,
    expected_version: int,
    idempotency_key: str,
) -> Remedy:
    """Give a remedy within ``user``'s own limit: recorded with its rule, on the timeline, and told to
    the customer, all in one transaction. Over the limit: :class:`RemedyRefused`, nothing written.
    The same ``idempotency_key`` (the form's nonce) gives the same remedy once.

    Opens its own transaction; the caller holds nothing."""
    done = Remedy.objects.filter(idempotency_key=idempotency_key).first()
    if done is not None:
        if done.case_id != case.pk or done.kind != kind:
            raise RemedyRefused("this form was already used for something else — reload the page")
        return done
    text = clean_reason(reason)
    with transaction.atomic():
        lock_case(case=case, expected_version=expected_version)
        version, option = remedy_option(case=case, user=user, kind=kind)  # read under the case's lock
        value = clean_amount(amount, monetary=option.monetary)
        own = option.allowance
        if own.rule is None:
            raise RemedyRefused(
                f"the policy doesn't let you give a {option.label.lower()} on this case"
                + (" — ask a lead instead" if option.can_ask else ""),
                field="amount" if option.monetary else "",
            )
        if (value if value is not None else 1) > own.remaining:
            more = " — ask a lead for more" if option.can_ask else ""
            if option.monetary:
                left = format_money(own.remaining)
                raise RemedyRefused(
                    f"{format_money(value or ZERO)} is over what you may give here: {left} left of your "
                    f"{format_money(own.limit)} per case (rule {own.rule_key}){more}",
                    field="amount",
                )
            raise RemedyRefused(
                f"this case has had its {own.limit} {option.label.lower()}"
                f"{'' if own.limit == 1 else 's'} under rule {own.rule_key}{more}"
            )
        return remedy_record(
            case=case,
            version=version,
            kind=kind,
            amount=value,
            reason=text,
            applied_by=user,
            approved_by=None,
            rule=own.rule_key,
            key=idempotency_key,
        )


def remedy_record(
    *,
    case: Case,
    version: PolicyVersion,
    kind: str,
    amount: Decimal | None,
    reason: str,
    applied_by: StaffUser,
    approved_by: StaffUser | None,
    rule: str,
    key: str,
    request_id: int | None = None,
) -> Remedy:
    """Write the remedy, its timeline entry and the customer's message. The caller holds the case's
    row in a transaction (:func:`lock_case`).

    A fee waiver that settles the balance of approved extra work also moves the case on
    (``balance_waived``, :mod:`.waiver`): the journey's message tells the customer then."""
    at, code = now(), currency()
    by = approved_by or applied_by
    settles = kind == "fee_waiver" and waiver_check(case=case, amount=amount, by=by)
    remedy = Remedy.objects.create(
        case=case,
        kind=kind,
        amount=amount,
        currency=code,
        reason=reason,
        applied_by=applied_by,
        approved_by=approved_by,
        request_id=request_id,
        policy=version,
        rule=rule,
        applied_at=at,
        idempotency_key=key,
    )
    what = remedy_words(kind=kind, amount=amount, currency=code)
    who = f"{applied_by}" + (f", approved by {approved_by}" if approved_by is not None else "")
    timeline_append(
        case=case,
        kind=TimelineKind.NOTE,
        actor=staff_actor(approved_by or applied_by),
        summary=f"{what[0].upper()}{what[1:]} by {who} — rule {rule}",
        at=at,
        event="remedy_applied",
        detail={
            "remedy": remedy.pk,
            "kind": kind,
            "amount": None if amount is None else str(amount),
            "currency": code,
            "reason": reason,
            "rule": rule,
            "policy_version": version.pk,
        },
    )
    if settles and waiver_settle(case=case, remedy=remedy, by=by):
        return remedy
    tell_given(
        case=case, kind=kind, amount=amount, currency=code, key=f"remedy:{remedy.pk}", approved=approved_by is not None
    )
    if kind == "refund" and amount is not None:
        # The customer was told the money is coming back; until the payment provider is driven
        # from here, a person pays it back, so the promise is a task, never a silent note.
        task_open(
            kind=TaskKind.PAYMENT_PROBLEM,
            owner=policy_of(version).approvers,
            title=f"{case.reference}: pay back the {format_money(amount, code)} refund through the payment provider",
            case=case,
            detail=f"Recorded by {who} under rule {rule}: {reason}",
            due_at=at + timedelta(days=1),
            priority=1,
            source_key=f"refund-payout:{remedy.pk}",
        )
    return remedy
