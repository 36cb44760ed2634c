"""Waiving the balance of approved extra work: a fee waiver given while the device waits for it.

The waiver is a remedy like any other (the policy's ``fee_waiver`` limits, a lead asked above
them, recorded with its rule and on the timeline); when it covers what is left of the balance,
the same transaction moves the case on with ``balance_waived``, so the device can travel home."""

from __future__ import annotations

from decimal import Decimal

from touchpoint.cases.actors import staff_actor
from touchpoint.cases.journeys import journey_of
from touchpoint.cases.models import Case
from touchpoint.flows.advance import case_advance
from touchpoint.journeys import valid_events
from touchpoint.payments.money import money
from touchpoint.payments.selectors import BALANCE_STATES, case_money
from touchpoint.remedies.errors import RemedyRefused
from touchpoint.remedies.models import Remedy
from touchpoint.staff.models import StaffUser

EVENT = "balance_waived"


def _current(case: Case) -> Case:
    """The case as it is under the lock the caller holds (its state may have moved since it was read)."""
    return Case.objects.select_related("journey", "customer").get(pk=case.pk)


def waiver_check(*, case: Case, amount: Decimal | None, by: StaffUser) -> bool:
    """Before a fee waiver is written: in a balance state it may not exceed the balance, and one
    that settles it must be one the journey lets ``by`` record. True when it will settle it.

    The caller holds the case's row (``remedies.services.remedies.lock_case``)."""
    current = _current(case)
    if current.state not in BALANCE_STATES or amount is None:
        return False
    due = case_money(case=current).balance_due
    if due <= 0:
        return False
    if amount > due:
        raise RemedyRefused(f"the balance left to pay is {money(due)}: waive at most that", field="amount")
    if amount < due:
        return False
    actor = staff_actor(by).for_journey()
    if EVENT not in valid_events(journey_of(current.journey), state=current.state, data=current.data, actor=actor):
        raise RemedyRefused(
            "waiving the whole balance sends the device home, which customer care or a lead does: ask one of them"
        )
    return True


def waiver_settle(*, case: Case, remedy: Remedy, by: StaffUser) -> bool:
    """After the waiver is written: when nothing is left to pay, move the case on (``balance_waived``).
    True when it moved. The caller holds the transaction that wrote ``remedy``."""
    current = _current(case)
    if current.state not in BALANCE_STATES or case_money(case=current).balance_due > 0:
        return False
    case_advance(case=current, event=EVENT, actor=staff_actor(by), idempotency_key=f"balance-waived-r{remedy.pk}")
    return True
