"""Receive one text message from a customer's phone: keep it, honour STOP, START and HELP, and
otherwise treat it as an email reply is treated (:mod:`touchpoint.inbox.rules`).

* STOP (STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT, OPTOUT, REVOKE) opts the number out: every customer
  with that number gets ``sms_opted_out_at`` and each of their open cases a timeline entry. Nothing
  is texted back: the carrier (Twilio's Advanced Opt-Out) confirms it, and we must not text again.
* START (UNSTOP) opts the number back in; YES does too, but only for a number that is opted out
  (otherwise "yes" is an answer to us and goes to a person, like any reply).
* HELP (INFO) gets one answer: the shop's name and how to reach a person.
* Anything else joins the customer's open case found by the number (the most recent one); with
  more than one open case, or none, a person gets the task of choosing or answering. A text proves
  nothing about who sent it (a sender's number can be forged), so it never acts on a case by itself:
  it joins the timeline and a person decides, as an email without proof does.

Idempotent by the provider's message id (Twilio's ``MessageSid``): the same text posted twice is
stored once and acted on once."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction

from touchpoint.cases.actors import CUSTOMER
from touchpoint.cases.models import Case, Task, TaskKind, TimelineKind
from touchpoint.cases.services.handoffs import fallback_owner
from touchpoint.cases.services.tasks import task_open
from touchpoint.cases.services.timeline import timeline_append
from touchpoint.core.clock import now
from touchpoint.customers.models import Customer
from touchpoint.inbox.models import InboundMessage, Kind, MatchedBy, Proof, Source
from touchpoint.inbox.rules import customer_words_act, note_append
from touchpoint.inbox.sentiment import sentiment_of
from touchpoint.outbox.models import MessageStatus, OutboxMessage
from touchpoint.outbox.receipts import text_fallback_email
from touchpoint.outbox.services import notice_enqueue, text_enqueue
from touchpoint.shop.selectors import shop_settings
from touchpoint.touchpoints.services import tracking_url

# The keywords carriers and Twilio honour, matched as the whole message (case and spaces ignored).
STOP_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT", "REVOKE"})
START_WORDS = frozenset({"START", "UNSTOP"})
YES_WORD = "YES"  # opts back in only a number that is opted out
HELP_WORDS = frozenset({"HELP", "INFO"})

REPLY_KEY = "inbound-reply:{pk}"  # the email answers' key: one automated answer per inbound message
TEXT_EVENT_STOP, TEXT_EVENT_START = "sms_opted_out", "sms_opted_in"
_KEYWORD = re.compile(r"[^A-Z]")


@dataclass(frozen=True)
class InboundText:
    """One text as the provider reported it."""

    sid: str  # the provider's id for it (Twilio's MessageSid)
    sender: str  # E.164, as the provider gives it
    to: str  # our number it was sent to
    body: str
    media: tuple[str, ...] = ()  # content types of pictures sent with it (MMS): not fetched
    raw: bytes = b""  # the request as received, kept whole


@dataclass(frozen=True)
class TextResult:
    message: InboundMessage
    duplicate: bool  # this text was stored before: nothing was done this time
    keyword: str  # "stop", "start", "help" or "" for an ordinary message


def message_id_of(sid: str) -> str:
    """The stored id of a text: the provider's id in a form no email's Message-ID takes."""
    return f"<sms.{sid}@twilio>"


def keyword_of(body: str) -> str:
    """``stop``, ``start``, ``yes``, ``help`` or "" for the whole message's words, as carriers read it."""
    word = _KEYWORD.sub("", body.upper())
    if word in STOP_WORDS:
        return "stop"
    if word in START_WORDS:
        return "start"
    if word == YES_WORD:
        return "yes"
    if word in HELP_WORDS:
        return "help"
    return ""


def text_receive(*, text: InboundText) -> TextResult:
    """Store and act on one inbound text. Opens its own transaction: the stored message, the
    customers' opt-out, the timeline entries, the task and the one answer commit together."""
    message_id = message_id_of(text.sid)
    existing = InboundMessage.objects.filter(message_id=message_id).first()
    if existing is not None:
        return TextResult(existing, duplicate=True, keyword=existing.action.removeprefix("sms:"))
    try:
        with transaction.atomic():
            message, keyword = _receive(text, message_id)
    except IntegrityError:
        existing = InboundMessage.objects.filter(message_id=message_id).first()
        if existing is None:
            raise
        return TextResult(existing, duplicate=True, keyword=existing.action.removeprefix("sms:"))
    return TextResult(message, duplicate=False, keyword=keyword)


def _receive(text: InboundText, message_id: str) -> tuple[InboundMessage, str]:
    at = now()
    body = text.body.replace("\x00", "")
    customers = list(Customer.objects.filter(phone=text.sender).order_by("pk")) if text.sender else []
    # A number two customer records share is one person's phone: it opts out and in as one.
    customer = customers[0] if len(customers) == 1 else None
    open_cases = list(
        Case.objects.filter(customer__in=customers, outcome="").select_related("customer").order_by("-opened_at")
    )
    keyword = keyword_of(body)
    if keyword == "yes":
        keyword = "start" if any(c.sms_opted_out_at is not None for c in customers) else ""
    case = open_cases[0] if len(open_cases) == 1 else None
    if case is not None:
        case = Case.objects.select_for_update(of=("self",)).select_related("customer", "journey").get(pk=case.pk)
        customer = case.customer
    raw = text.raw or body.encode("utf-8")
    sentiment = sentiment_of(body) if body.strip() and not keyword else None
    message = InboundMessage.objects.create(
        source=Source.SMS,
        message_id=message_id,
        raw_sha256=hashlib.sha256(raw).hexdigest(),
        raw=raw,
        from_email=text.sender[:254],  # the sender's address on this channel: their number
        from_name=(customer.name if customer is not None else text.sender)[:200],
        to=[text.to] if text.to else [],
        subject=_subject(body, keyword),
        text=body,
        reply_text=body,
        kind=Kind.REPLY if case is not None else Kind.NEW,
        matched_by=MatchedBy.PHONE if customers else "",
        proof=Proof.NONE,  # a sender's number proves nothing: a person decides what it asks
        case=case,
        customer=customer,
        sentiment=sentiment,
        rejected=[
            {
                "filename": f"picture {n}",
                "content_type": kind[:100],
                "size": 0,
                "reason": "Pictures sent by text are not fetched: add them on the case page instead.",
            }
            for n, kind in enumerate(text.media, start=1)
        ],
        received_at=at,
    )
    if keyword == "stop":
        _opt_out(message, customers, open_cases)
    elif keyword == "start":
        _opt_in(message, customers, open_cases)
    elif keyword == "help":
        _help(message, customers, open_cases)
    elif len(open_cases) > 1:
        message.task = _choose_case(message, customers, open_cases, sentiment)
    else:
        # One open case, or none (a known customer or a stranger): the same rules as an email.
        customer_words_act(message=message, case=case, customer=customer, sentiment=sentiment, words=body)
    message.save()
    return message, keyword


def _subject(body: str, keyword: str) -> str:
    if keyword:
        return f"Text: {keyword.upper()}"
    first = next((line.strip() for line in body.splitlines() if line.strip()), "")
    if not first:
        return "Text message (no words)"
    return "Text: " + (first if len(first) <= 80 else first[:79].rstrip() + "…")


def _note_on_open_cases(message: InboundMessage, open_cases: list[Case], *, event: str, summary: str) -> None:
    for found in open_cases:
        locked = Case.objects.select_for_update(of=("self",)).get(pk=found.pk)
        timeline_append(
            case=locked,
            kind=TimelineKind.NOTE,
            actor=CUSTOMER,
            at=message.received_at,
            event=event,
            summary=summary,
            detail={"inbound": message.pk, "number": message.from_email, "matched_by": message.matched_by},
        )


def _opt_out(message: InboundMessage, customers: list[Customer], open_cases: list[Case]) -> None:
    """The number is never texted again until it texts START. Not answered: the carrier confirms."""
    message.action = "sms:stop"
    message.no_reply_reason = "never answered: STOP (the carrier confirms it; we must not text again)"
    if not customers:
        return
    Customer.objects.filter(pk__in=[c.pk for c in customers], sms_opted_out_at__isnull=True).update(
        sms_opted_out_at=message.received_at
    )
    message.customer = customers[0] if len(customers) == 1 else None
    # Texts written before the STOP and not yet sent would be refused now: they come by email instead.
    waiting = OutboxMessage.objects.select_for_update(of=("self",)).filter(
        channel="sms", recipient=message.from_email, status=MessageStatus.PENDING
    )
    for text in waiting.select_related("case__customer", "case__journey"):
        OutboxMessage.objects.filter(pk=text.pk).update(status=MessageStatus.CANCELLED, last_error="opted out: STOP")
        owner = text.case.customer if text.case is not None else message.customer
        if owner is not None:  # as every later touch point: email is the way left (texts only or not)
            text_fallback_email(text=text, case=text.case, customer=owner)
    _note_on_open_cases(
        message,
        open_cases,
        event=TEXT_EVENT_STOP,
        summary=f"Opted out of texts (replied STOP from {message.from_email}): messages go by email",
    )


def _opt_in(message: InboundMessage, customers: list[Customer], open_cases: list[Case]) -> None:
    message.action = "sms:start"
    message.no_reply_reason = "never answered: START (the carrier confirms it)"
    if not customers:
        return
    Customer.objects.filter(pk__in=[c.pk for c in customers]).update(sms_opted_out_at=None)
    message.customer = customers[0] if len(customers) == 1 else None
    _note_on_open_cases(
        message,
        open_cases,
        event=TEXT_EVENT_START,
        summary=f"Opted back in to texts (replied START from {message.from_email})",
    )


def _help(message: InboundMessage, customers: list[Customer], open_cases: list[Case]) -> None:
    """One answer: who we are and how to reach a person. Capped per number like email answers."""
    message.action = "sms:help"
    shop = shop_settings()
    case = open_cases[0] if len(open_cases) == 1 else None
    where = f" Your case: {tracking_url(case=case)}" if case is not None else ""
    words = (
        f"{shop.name}: texts about your repair.{where} To reach a person, reply here with your question "
        f"or email {shop.sender_email}. Reply STOP to stop texts."
    )
    since = message.received_at - timedelta(hours=1)
    recent = OutboxMessage.objects.filter(
        recipient=message.from_email, idempotency_key__startswith="inbound-reply:", created_at__gte=since
    ).count()
    if recent >= settings.TOUCHPOINT_NOTICE_CAP_PER_HOUR:
        message.no_reply_reason = f"not answered: {recent} automated answers to this number in the last hour"
        return
    opted_out = any(c.sms_opted_out_at is not None for c in customers)
    if opted_out:
        # The number asked us to stop texting: the answer goes to the customer's email instead.
        customer = customers[0] if len(customers) == 1 else None
        if customer is None:
            message.no_reply_reason = "not answered: the number is opted out of texts"
            return
        message.reply = notice_enqueue(
            recipient=customer.email,
            subject=f"{shop.name}: help with our texts",
            body_text=words,
            idempotency_key=REPLY_KEY.format(pk=message.pk),
            case=case,
        )
        return
    message.reply = text_answer_enqueue(
        recipient=message.from_email, body=words, idempotency_key=REPLY_KEY.format(pk=message.pk), case=case
    )


def text_answer_enqueue(*, recipient: str, body: str, idempotency_key: str, case: Case | None) -> OutboxMessage:
    """A text answering one the customer just sent: due now, as ``sms_due(asked=True)`` says (quiet
    hours don't hold what was just asked for). The same key writes it once. Call inside the
    transaction that decided to answer."""
    return text_enqueue(
        recipient=recipient,
        subject="Answer to your text",
        body=body,
        idempotency_key=idempotency_key,
        case=case,
        asked=True,
    )


def _choose_case(
    message: InboundMessage, customers: list[Customer], open_cases: list[Case], sentiment: float | None
) -> Task:
    """More than one open case for this number: a person reads it and puts it where it belongs."""
    references = ", ".join(c.reference for c in open_cases[:10])
    who = message.from_name
    urgent = sentiment is not None and sentiment <= settings.TOUCHPOINT_NEGATIVE_SENTIMENT
    for found in open_cases:
        note_append(
            message,
            Case.objects.select_for_update(of=("self",)).get(pk=found.pk),
            event="customer_message",
            summary=f"{who} texted; they have {len(open_cases)} open cases, so a person decides which this is about",
        )
    return task_open(
        kind=TaskKind.CUSTOMER_MESSAGE,
        owner=fallback_owner(),
        title=f"{who} texted and has {len(open_cases)} open cases ({references}): choose which",
        detail=f"From {who} ({message.from_email}), by text:\n\n{message.text[:4000]}\n\n"
        f"Their open cases: {references}. Answer them and note it on the case it is about.",
        due_at=message.received_at + timedelta(seconds=settings.TOUCHPOINT_CUSTOMER_MESSAGE_WAIT),
        priority=1 if urgent else 2,
        source_key=f"inbound:{message.pk}",
    )
