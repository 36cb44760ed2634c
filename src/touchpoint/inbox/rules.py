"""What happens to a customer's message, whichever way it came (email or the case page).

The same rules for both, so that automation never loops a customer (principle 3): a tone switch
or a clear yes/no to the question the journey is asking is done on its own; anything else, or
anything more, reaches a person with a wait limit, sooner when the message reads as negative.

Only a message that proves where it comes from (:data:`PROOF`) and is from the case's own customer
changes anything by itself: a state, a quote, the customer's tone, the case's mood. Any other
message joins the case's timeline and a person decides (docs/security.md, "Email actions need
proof")."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from django.conf import settings

from touchpoint.cases.actors import CUSTOMER, SYSTEM
from touchpoint.cases.errors import CaseConflict, CaseError, TransitionRefused
from touchpoint.cases.journeys import journey_of
from touchpoint.cases.models import Case, Task, TaskKind, TimelineKind
from touchpoint.cases.recording import OWN_PANEL, generic
from touchpoint.cases.services.handoffs import fallback_owner
from touchpoint.cases.services.tasks import task_open
from touchpoint.cases.services.timeline import timeline_append
from touchpoint.customers.models import Customer
from touchpoint.flows.advance import case_advance
from touchpoint.flows.quotes import QuoteError, quote_decide
from touchpoint.inbox.intents import Intent, has_more_than_first_line, intent_of
from touchpoint.inbox.models import InboundMessage, Kind, Proof
from touchpoint.journeys import Actor, valid_events
from touchpoint.quotes.selectors import quote_latest

_APPROVE_WORDS = ("approve", "accept")
_DECLINE_WORDS = ("decline", "reject")
# How a message proves it comes from whoever holds the case's emails or its page: the reply address's
# token, our own Message-ID in In-Reply-To/References, the case page, or a sender a trusted relay
# authenticated (DMARC, aligned DKIM). A reference in the subject from the customer's address proves
# nothing (a From: line can be forged): it joins the case and a person decides.
PROOF = frozenset({Proof.TOKEN, Proof.THREAD, Proof.LINK, Proof.DMARC, Proof.DKIM})


def note_append(
    message: InboundMessage, case: Case | None, *, event: str, summary: str, extra: dict[str, Any] | None = None
) -> None:
    """A note on ``case``'s timeline about ``message``. The caller holds the case's row."""
    if case is None:
        return
    timeline_append(
        case=case,
        kind=TimelineKind.NOTE,
        actor=SYSTEM if message.kind in (Kind.BOUNCE, Kind.AUTO_REPLY) else CUSTOMER,
        at=message.received_at,
        event=event,
        summary=summary,
        detail={
            "inbound": message.pk,
            "matched_by": message.matched_by,
            "proof": message.proof,
            "subject": message.subject,
            "sentiment": message.sentiment,
            **(extra or {}),
        },
    )


def customer_words_act(
    *,
    message: InboundMessage,
    case: Case | None,
    customer: Customer | None,
    sentiment: float | None,
    words: str,
    person_asked: bool = False,
) -> list[str]:
    """Act on what a customer wrote, by email or on their case page, with the same rules: a note on
    the case's timeline; a tone switch or a clear yes/no to the journey's question done by itself;
    anything else, anything more, or ``person_asked``, a task for a person. Returns what to
    acknowledge to the customer. The caller holds the case's row inside its transaction and saves
    ``message`` afterwards (``action`` and ``task`` are set on it)."""
    intent = intent_of(words)
    # Only the case's own customer (or, with no case, a known customer), with proof, makes things happen.
    trusted = message.proof in PROOF and customer is not None and (case is None or case.customer_id == customer.pk)
    acknowledgements: list[str] = []
    handled = False
    if case is not None:
        summary = f"{message.from_name or message.from_email} wrote: {message.subject or '(no subject)'}"
        note_append(message, case, event="customer_message", summary=summary)
        # Unproven words still set their task's priority (an urgent task turns the tone sober itself).
        if trusted and sentiment is not None:
            Case.objects.filter(pk=case.pk).update(
                customer_sentiment=sentiment, customer_sentiment_at=message.received_at
            )
            # The instance too: a move these words make next is told in their tone, not the last ones'.
            case.customer_sentiment, case.customer_sentiment_at = sentiment, message.received_at
    if trusted and customer is not None and intent in ("plain", "playful"):
        plain = intent == "plain"
        Customer.objects.filter(pk=customer.pk).update(plain_messages=plain)
        message.action = "tone:plain" if plain else "tone:playful"
        acknowledgements.append(
            "From now on our messages to you will be plain and to the point."
            if plain
            else "Happy to hear it: our messages can smile again."
        )
        handled = True
    elif trusted and case is not None and intent in ("yes", "no"):
        handled = answer_question(message, case, intent)
    if person_asked or not handled or has_more_than_first_line(words) or not words.strip():
        message.task = task_for_person(message, case, customer, sentiment)
    return acknowledgements


def answer_question(message: InboundMessage, case: Case, intent: Intent) -> bool:
    """A clear yes or no to the one question the journey is asking the customer now, from a message
    that proves where it comes from (:data:`PROOF`). It goes through the same service as the case
    page's button, so the record behind it follows (a quote's answer is the quote's). True if applied."""
    if message.proof not in PROOF:
        return False
    definition = journey_of(case.journey)
    events = valid_events(definition, state=case.state, data=case.data, actor=Actor("customer"))
    words = _APPROVE_WORDS if intent == "yes" else _DECLINE_WORDS
    candidates = [event for event in events if any(word in event for word in words)]
    if len(candidates) != 1:
        return False  # nothing to approve here, or more than one thing: a person decides
    event = candidates[0]
    if OWN_PANEL.get(event) == "quotes":
        return _answer_quote(message, case, approve=intent == "yes")
    if not generic(event):
        return False  # its panel writes a record a yes can't give (a payment, feedback): a person helps
    digest = hashlib.sha256((message.message_id or message.raw_sha256).encode()).hexdigest()
    key = f"inbound:{message.message_id}" if len(message.message_id) <= 180 else f"inbound:sha256:{digest}"
    try:
        case_advance(case=case, event=event, actor=CUSTOMER, idempotency_key=key)
    except (TransitionRefused, CaseConflict):
        return False
    message.action = f"event:{event}"
    return True


def _answer_quote(message: InboundMessage, case: Case, *, approve: bool) -> bool:
    quote = quote_latest(case=case)
    if quote is None or not quote.is_open:
        return False
    try:
        quote_decide(case=case, quote_id=quote.pk, version=case.version, approve=approve)
    except (QuoteError, CaseError):
        return False
    message.action = f"event:{'quote_approved' if approve else 'quote_declined'}"
    return True


def task_for_person(
    message: InboundMessage, case: Case | None, customer: Customer | None, sentiment: float | None
) -> Task:
    urgent = sentiment is not None and sentiment <= settings.TOUCHPOINT_NEGATIVE_SENTIMENT
    who = message.from_name or message.from_email or "someone"
    body = (message.reply_text or message.text or "").strip()
    detail = f"From {who} <{message.from_email}>\nSubject: {message.subject}\n\n{body[:4000]}"
    if sentiment is not None:
        detail += f"\n\nSentiment: {sentiment:+.2f}{' (reads as negative)' if urgent else ''}"
    due = message.received_at + timedelta(seconds=settings.TOUCHPOINT_CUSTOMER_MESSAGE_WAIT)
    if case is not None:
        owner = case.owner if case.owner.startswith("team:") else fallback_owner()
        return task_open(
            kind=TaskKind.CUSTOMER_MESSAGE,
            owner=owner,
            case=case,
            title=f"{case.reference}: {who} wrote “{message.subject or '(no subject)'}”",
            detail=detail,
            due_at=due,
            priority=1 if urgent else 2,
            source_key=f"inbound:{message.pk}",
        )
    known = f"{customer.name} (a customer, no case matched)" if customer is not None else f"{who}, not yet a customer"
    return task_open(
        kind=TaskKind.NEW_CONVERSATION,
        owner=fallback_owner(),
        title=f"New conversation from {known}: “{message.subject or '(no subject)'}”",
        detail=detail + "\n\nDecide which journey this belongs to, or answer them.",
        due_at=due,
        priority=1 if urgent else 2,
        source_key=f"inbound:{message.pk}",
    )
