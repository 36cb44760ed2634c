"""What the customer is told about a remedy: specific (what, how much, when) and honest (a lead
decides by a time we keep; a no is said as a no, with the reason)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from touchpoint.cases.models import Case
from touchpoint.core.money import money_text
from touchpoint.core.promises import by_words
from touchpoint.outbox.services import notice_enqueue
from touchpoint.remedies.policy import KINDS
from touchpoint.touchpoints.services import tracking_url

_GIVEN = {
    "goodwill_credit": "We've added a goodwill credit of {money} to your account. "
    "It comes off your next repair or order with us.",
    "refund": "We're refunding {money}. It goes back the way you paid; "
    "banks usually take 3 to 5 working days to show it.",
    "fee_waiver": "We've waived {money} of fees: you won't be charged it.",
    "replacement": "We're sending you a replacement. You'll get its tracking link as soon as it's in the post.",
    "expedited_return": "We'll send your device home by our fastest tracked service, at our cost.",
    "warranty_swap_without_receipt": "We've swapped it under warranty; no receipt needed.",
}


def remedy_words(*, kind: str, amount: Decimal | None, currency: str) -> str:
    """``a refund of £40.00``, ``a replacement``: how a remedy is named in a sentence."""
    label = KINDS[kind].label.lower()
    article = "an" if label[0] in "aeiou" else "a"
    if amount is None:
        return f"{article} {label}"
    return f"{article} {label} of {money_text(amount, currency)}"


def _send(*, case: Case, subject: str, lines: list[str], key: str) -> None:
    customer = case.customer
    greeting = f"Hello {case.contact_first_name}," if case.contact_first_name else "Hello,"
    body = "\n\n".join(
        [
            greeting,
            *lines,
            f"Your case and everything that happens to it: {tracking_url(case=case)}",
            "To talk to a person, just reply to this email: a person reads every reply.",
        ]
    )
    notice_enqueue(
        recipient=customer.email, subject=f"{case.reference}: {subject}", body_text=body, idempotency_key=key, case=case
    )


def tell_given(
    *, case: Case, kind: str, amount: Decimal | None, currency: str, key: str, approved: bool = False
) -> None:
    text = _GIVEN[kind].format(money=money_text(amount, currency) if amount is not None else "")
    lines = ["A team lead has said yes.", text] if approved else [text]
    _send(case=case, subject=remedy_words(kind=kind, amount=amount, currency=currency), lines=lines, key=key)


def tell_asked(
    *, case: Case, kind: str, amount: Decimal | None, currency: str, asker: str, due_at: datetime, key: str
) -> None:
    what = remedy_words(kind=kind, amount=amount, currency=currency)
    line = (
        f"{asker} has asked a team lead to approve {what} for you. A team lead will decide "
        f"{by_words(due_at)}, and we'll write to you either way."
    )
    _send(case=case, subject=f"{what}: a team lead decides {by_words(due_at)}", lines=[line], key=key)


def tell_declined(*, case: Case, kind: str, amount: Decimal | None, currency: str, reason: str, key: str) -> None:
    what = remedy_words(kind=kind, amount=amount, currency=currency)
    lines = [
        f"A team lead has looked at {what} for you, and we can't give it this time.",
        f"Why: {reason}",
        "If that doesn't sit right with you, reply and tell us: a person will answer.",
    ]
    _send(case=case, subject=f"about {what}", lines=lines, key=key)
