"""Receive one email: keep it, tie it to its case, and decide who acts on it.

The rules, so that automation never loops a customer (principle 3):

* a bounce marks the customer's address as failing and opens a task; an auto-reply is recorded;
  neither is ever answered, nor is mail from our own addresses;
* a customer's message we can act on by ourselves (a tone switch, a clear yes/no to a question
  the journey asked) is acted on; anything else, or anything more, reaches a person with a wait
  limit, sooner when the message reads as negative;
* at most one automated answer per inbound message (one outbox key per message), and at most
  ``TOUCHPOINT_NOTICE_CAP_PER_HOUR`` to one sender in an hour.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import re
from dataclasses import dataclass
from datetime import timedelta
from email.parser import BytesHeaderParser
from email.utils import getaddresses, parseaddr
from typing import cast

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction

from touchpoint.cases.models import Case, TaskKind
from touchpoint.cases.services.handoffs import fallback_owner
from touchpoint.cases.services.tasks import task_open
from touchpoint.core.clock import now
from touchpoint.customers.models import Customer
from touchpoint.inbox.models import InboundAttachment, InboundMessage, Kind, MatchedBy, Proof
from touchpoint.inbox.photos import FORMATS, PhotoRefused, photo_clean
from touchpoint.inbox.rules import customer_words_act, note_append
from touchpoint.inbox.sentiment import sentiment_of
from touchpoint.mail.authentication import sender_proof
from touchpoint.mail.parse import DEFAULT_ALLOWED_TYPES, ParsedMail, find_reference, parse_message, reply_token
from touchpoint.outbox.models import OutboxMessage
from touchpoint.outbox.services import notice_enqueue

PHOTO_TYPES = {content_type for content_type, _ in FORMATS.values()}  # what photo_clean re-encodes

log = logging.getLogger(__name__)

_REFERENCE_IN_ID = re.compile(r"<(TP-[0-9A-Za-z]{4,12})\.")
REPLY_KEY = "inbound-reply:{pk}"  # the one outbox key for every automated answer to one message


@dataclass(frozen=True)
class InboundResult:
    message: InboundMessage
    duplicate: bool  # True when this mail was already stored: nothing was done this time


def inbound_receive(*, raw: bytes, source: str) -> InboundResult:
    """Store and act on one raw RFC 5322 message. Never raises on the content of the mail.

    Opens its own transaction: the stored message, its timeline entry, the task, the customer's
    flags, any case move and the one automated answer commit together, or not at all. Attachment
    files are written to storage inside it and removed again if it rolls back. The same mail
    delivered twice (same Message-ID, or the same bytes when it has none) is stored once."""
    parsed = _without_nul(
        parse_message(
            raw,
            max_attachment_bytes=settings.TOUCHPOINT_ATTACHMENT_MAX_BYTES,
            allowed_types=frozenset(settings.TOUCHPOINT_ATTACHMENT_TYPES) or DEFAULT_ALLOWED_TYPES,
        )
    )
    message_id = (parsed.message_id or "").strip()[:998]
    digest = hashlib.sha256(raw).hexdigest()
    existing = _existing(message_id, digest)
    if existing is not None:
        return InboundResult(existing, duplicate=True)
    saved: list[str] = []
    try:
        with transaction.atomic():
            message = _receive(parsed, raw=raw, source=source, message_id=message_id, digest=digest, saved=saved)
    except IntegrityError:
        _discard(saved)
        existing = _existing(message_id, digest)
        if existing is None:
            raise
        return InboundResult(existing, duplicate=True)  # a second delivery raced us and won
    except BaseException:
        _discard(saved)
        raise
    return InboundResult(message, duplicate=False)


def _scrub[T](value: T) -> T:
    """NUL characters out of every text: PostgreSQL can't store them (the raw bytes keep them)."""
    if isinstance(value, str):
        return cast(T, value.replace("\x00", ""))
    if isinstance(value, tuple):
        return cast(T, tuple(_scrub(item) for item in value))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: _scrub(getattr(value, f.name)) for f in dataclasses.fields(value) if f.name != "data"}
        return cast(T, dataclasses.replace(value, **changes))
    return value


def _without_nul(parsed: ParsedMail) -> ParsedMail:
    return _scrub(parsed)


def _existing(message_id: str, digest: str) -> InboundMessage | None:
    if message_id:
        return InboundMessage.objects.filter(message_id=message_id).first()
    return InboundMessage.objects.filter(message_id="", raw_sha256=digest).first()


def _discard(names: list[str]) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:  # pragma: no cover - best effort; an orphan file loses nothing
            log.warning("could not remove attachment file %s", name)


def _receive(
    parsed: ParsedMail, *, raw: bytes, source: str, message_id: str, digest: str, saved: list[str]
) -> InboundMessage:
    at = now()
    sender = parsed.from_email or ""
    own = _is_own_address(sender)
    case, matched_by, proof = _match(parsed, raw)
    if proof == Proof.NONE:
        authenticated = sender_proof(raw, sender=sender, trusted=settings.TOUCHPOINT_TRUSTED_AUTHSERV_IDS)
        proof = Proof(authenticated) if authenticated is not None else Proof.NONE
    customer = Customer.objects.filter(email__iexact=sender).first() if sender else None
    if customer is None and case is not None and matched_by != MatchedBy.SUBJECT:
        customer = case.customer if case.customer.email.lower() == sender else None
    if parsed.is_bounce:
        kind = Kind.BOUNCE
    elif parsed.auto_submitted or own:
        kind = Kind.AUTO_REPLY
    elif case is not None:
        kind = Kind.REPLY
    else:
        kind = Kind.NEW
    words = parsed.reply_text or parsed.text or ""
    sentiment = sentiment_of(words) if kind in (Kind.REPLY, Kind.NEW) else None
    message = InboundMessage.objects.create(
        source=source,
        message_id=message_id,
        raw_sha256=digest,
        raw=raw,
        from_email=sender[:254],
        from_name=(parsed.from_name or "")[:200],
        to=list(parsed.to),
        subject=(parsed.subject or "")[:500],
        sent_at=parsed.date,
        text=parsed.text or "",
        html=parsed.html or "",
        reply_text=parsed.reply_text or "",
        kind=kind,
        matched_by=matched_by or "",
        proof=proof,
        case=case,
        customer=customer,
        sentiment=sentiment,
        rejected=[
            {"filename": r.filename, "content_type": r.content_type, "size": r.size, "reason": r.reason}
            for r in parsed.rejected
        ],
        defects=[str(d) for d in parsed.defects],
        received_at=at,
    )
    for attachment in parsed.attachments:
        data, content_type = _pixels_only(attachment.data, attachment.content_type, attachment.filename)
        stored = InboundAttachment(
            message=message,
            filename=(attachment.filename or "attachment")[:255],
            content_type=(content_type or "application/octet-stream")[:100],
            size=len(data),
            content_id=(attachment.content_id or "")[:255],
            inline=attachment.inline,
        )
        stored.file.save(_safe_name(attachment.filename), ContentFile(data), save=False)
        saved.append(stored.file.name or "")
        stored.save()
    if case is not None:
        # Hold the case's row (only it: not its customer's or journey's) while its timeline grows.
        case = Case.objects.select_for_update(of=("self",)).select_related("customer", "journey").get(pk=case.pk)
        message.case = case
    if kind == Kind.BOUNCE:
        _bounce(message, parsed, case)
    elif kind == Kind.AUTO_REPLY:
        reason = "mail from our own address" if own else "an automatic reply (RFC 3834)"
        note_append(message, case, event="auto_reply", summary=f"Automatic reply from {sender or 'unknown sender'}")
        message.no_reply_reason = f"never answered: {reason}"
    else:
        _customer_message(message, parsed, case, customer, sentiment)
    message.save()
    return message


def _pixels_only(data: bytes, content_type: str | None, filename: str | None) -> tuple[bytes, str | None]:
    """A photo that came by email is kept as the case page keeps one: its pixels, without the EXIF
    (a phone's GPS), comments or profiles it carried. One the cleaner can't read is kept as sent (the
    raw message is kept whole anyway), so nothing the customer sent is lost."""
    if content_type not in PHOTO_TYPES:
        return data, content_type
    try:
        photo = photo_clean(data=data, filename=filename or "photo")
    except PhotoRefused:
        return data, content_type
    return photo.data, photo.content_type


def _safe_name(filename: str | None) -> str:
    name = (filename or "attachment").replace("\\", "/").rsplit("/", 1)[-1].strip().lstrip(".")
    return (name or "attachment")[:100]


# -- matching -----------------------------------------------------------------------------------


def _match(parsed: ParsedMail, raw: bytes) -> tuple[Case | None, MatchedBy | None, Proof]:
    """By reply token, then by thread, then by a reference in the subject from that case's customer;
    with the proof the match itself gives (the token, or one of our own Message-IDs)."""
    addresses = [*parsed.to, *parsed.cc, *_envelope_recipients(raw)]
    token = reply_token(addresses, settings.TOUCHPOINT_REPLY_DOMAIN)
    if token:
        case = Case.objects.select_related("customer").filter(reply_token=token.lower()).first()
        if case is not None:
            return case, MatchedBy.TOKEN, Proof.TOKEN
    case, ours = _thread_case([*parsed.in_reply_to, *parsed.references])
    if case is not None:
        # Only our own Message-IDs (random, sent to the case's customer alone) prove anything: an ID
        # from the sender's earlier mail is one they chose themselves.
        return case, MatchedBy.THREAD, Proof.THREAD if ours else Proof.NONE
    reference = find_reference(parsed.subject or "")
    if reference and parsed.from_email:
        case = Case.objects.select_related("customer").filter(reference=reference).first()
        # A reference alone must not let a stranger into a case: only its own customer may use it.
        # It proves nothing (it is printed on the parcel label; a From: line can be forged).
        if case is not None and case.customer.email.lower() == parsed.from_email.lower():
            return case, MatchedBy.SUBJECT, Proof.NONE
    return None, None, Proof.NONE


_ROBOT_LOCAL_PARTS = {
    "mailer-daemon",
    "postmaster",
    "noreply",
    "no-reply",
    "no_reply",
    "donotreply",
    "do-not-reply",
    "bounce",
    "bounces",
    "listserv",
    "majordomo",
}


def _robot_reason(sender: str, raw: bytes) -> str | None:
    """RFC 3834 §2: don't answer robots or mailing lists (the message still reaches a person)."""
    local = sender.split("@", 1)[0].lower()
    if local in _ROBOT_LOCAL_PARTS or local.startswith(("owner-", "bounce-", "bounces+")) or local.endswith("-request"):
        return f"{sender} is an address robots send from"
    try:
        headers = BytesHeaderParser().parsebytes(raw[:262144])
        if headers.get("List-Id") or headers.get("List-Unsubscribe"):
            return "sent through a mailing list"
        if str(headers.get("Precedence", "")).strip().lower() in ("bulk", "list", "junk"):
            return "bulk mail (Precedence)"
    except Exception:  # unreadable headers: nothing says it's a list; the other guards still apply
        return None
    return None


def _envelope_recipients(raw: bytes) -> list[str]:
    """Delivered-To / X-Original-To, which the mail server adds with the address it delivered to."""
    try:
        headers = BytesHeaderParser().parsebytes(raw[:262144])
        values = [str(v) for name in ("Delivered-To", "X-Original-To") for v in (headers.get_all(name) or [])]
        return [address.lower() for _, address in getaddresses(values) if address]
    except Exception:  # headers we can't read give no address; the other routes still apply
        return []


def _thread_case(ids: list[str]) -> tuple[Case | None, bool]:
    """The case the thread belongs to, and whether it was found by a Message-ID of ours."""
    wanted: set[str] = set()
    for value in ids:
        bare = value.strip().strip("<>").strip()
        if bare:
            wanted.update({bare, f"<{bare}>"})
    if not wanted:
        return None, False
    ours = OutboxMessage.objects.filter(case__isnull=False, **{"headers__Message-ID__in": sorted(wanted)})
    # A touch point's Message-ID starts with its case's reference: look among that case's messages
    # only (an index). Other messages of ours (notices) need the wider search.
    references = {m.group(1).upper() for value in wanted if (m := _REFERENCE_IN_ID.match(value))}
    sent = None
    if references:
        sent = ours.filter(case__reference__in=references).values_list("case_id", flat=True).first()
    if sent is None:
        sent = ours.order_by("-created_at").values_list("case_id", flat=True).first()
    if sent is not None:
        return Case.objects.select_related("customer").filter(pk=sent).first(), True
    # The customer may answer their own earlier mail that we matched: it joins that case, no more.
    sent = (
        InboundMessage.objects.filter(case__isnull=False, message_id__in=sorted(wanted))
        .order_by("-received_at")
        .values_list("case_id", flat=True)
        .first()
    )
    return (Case.objects.select_related("customer").filter(pk=sent).first() if sent is not None else None), False


def _is_own_address(address: str) -> bool:
    if not address:
        return False
    ours = {parseaddr(settings.DEFAULT_FROM_EMAIL)[1].lower(), parseaddr(settings.SERVER_EMAIL)[1].lower()}
    ours.update(a.lower() for a in settings.TOUCHPOINT_OWN_ADDRESSES)
    domain = settings.TOUCHPOINT_REPLY_DOMAIN.lower()
    return address.lower() in ours or address.lower().endswith(f"@{domain}")


# -- what happens to each kind ------------------------------------------------------------------


def _bounce(message: InboundMessage, parsed: ParsedMail, case: Case | None) -> None:
    """The customer can no longer hear us: mark the address and give a person the task. Never answered.

    Only a bounce that returns one of our own Message-IDs (random, seen only by the mail's recipient
    and the servers on its way) proves that mail to that address failed: anyone can write a bounce
    naming a customer's address. One that proves nothing marks nothing; a person is asked to look."""
    message.no_reply_reason = "never answered: a bounce"
    ours = list(
        OutboxMessage.objects.filter(**{"headers__Message-ID__in": list(parsed.returned_message_ids)})
        .select_related("case")
        .only("recipient", "case")[:10]
        if parsed.returned_message_ids
        else []
    )
    sent_to = {m.recipient.lower(): m.case for m in ours}
    failed = {a.lower() for a in parsed.bounced_recipients} or set(sent_to)
    proven = failed & set(sent_to)
    if not proven:
        _bounce_unproven(message, failed, case)
        return
    for customer in Customer.objects.filter(email__in=sorted(proven)):
        Customer.objects.filter(pk=customer.pk).update(email_failing=True)
        sent_case = sent_to.get(customer.email.lower())
        # The case the failed mail was about, unless it has ended and another is open (that one waits on us).
        their_case = sent_case if sent_case is not None and sent_case.outcome == "" else None
        their_case = their_case or _open_case_of(customer) or sent_case
        reference = their_case.reference if their_case is not None else "No case"
        task = task_open(
            kind=TaskKind.EMAIL_BOUNCED,
            owner=fallback_owner(),
            case=their_case,
            priority=1,
            due_at=message.received_at,
            title=f"{reference}: mail to {customer.email} bounced — reach {customer.name} another way",
            detail=f"{customer.name}'s address {customer.email} no longer takes our mail, so they can't hear "
            f"from us. Bounce: “{message.subject}”.",
            source_key=f"inbound:{message.pk}:bounce:{customer.pk}",
        )
        message.task = message.task or task
        message.customer = message.customer or customer
        note_append(message, their_case, event="email_bounced", summary=f"Mail to {customer.email} bounced")
        if their_case is not None and message.case is None:
            message.case = their_case


def _bounce_unproven(message: InboundMessage, failed: set[str], case: Case | None) -> None:
    """A bounce that names a customer's address but not mail we sent: genuine (some servers return no
    copy) or forged. The address is not marked; a person checks, once a day per customer at most."""
    message.no_reply_reason = "never answered: a bounce that names no mail we sent"
    for customer in Customer.objects.filter(email__in=sorted(failed)) if failed else []:
        their_case = case if case is not None and case.customer_id == customer.pk else _open_case_of(customer)
        if their_case is None:
            continue  # nothing of theirs is waiting on our mail
        task = task_open(
            kind=TaskKind.EMAIL_BOUNCED,
            owner=fallback_owner(),
            case=their_case,
            priority=3,
            due_at=message.received_at,
            title=f"{their_case.reference}: a bounce names {customer.email} — check it is real",
            detail=f"A report says mail to {customer.email} failed, but it returns no message we sent, so "
            "it proves nothing (anyone can write one). If it is real, reach "
            f"{customer.name} another way. Bounce: “{message.subject}”.",
            source_key=f"bounce-unproven:{customer.pk}:{message.received_at.date().isoformat()}",
        )
        message.task = message.task or task
        message.customer = message.customer or customer
        if message.case is None:
            message.case = their_case


def _open_case_of(customer: Customer) -> Case | None:
    return Case.objects.filter(customer=customer, outcome="").order_by("-opened_at").first()


def _customer_message(
    message: InboundMessage, parsed: ParsedMail, case: Case | None, customer: Customer | None, sentiment: float | None
) -> None:
    words = parsed.reply_text or parsed.text or ""
    acknowledgements = customer_words_act(
        message=message, case=case, customer=customer, sentiment=sentiment, words=words
    )
    _answer_once(message, parsed, acknowledgements)


# -- the one automated answer -------------------------------------------------------------------


def _answer_once(message: InboundMessage, parsed: ParsedMail, acknowledgements: list[str]) -> None:
    """One message back at most: what we did on their word, and each attachment we couldn't keep."""
    lines = list(acknowledgements)
    for refused in parsed.rejected:  # the parser words each reason for the customer
        lines.append(f"{refused.reason} If it can't be made smaller, a link to it works too.")
    if not lines:
        return
    sender = message.from_email
    if not sender:
        message.no_reply_reason = "no address to answer"
        return
    robot = _robot_reason(sender, bytes(message.raw))
    if robot is not None:
        message.no_reply_reason = f"not answered: {robot}"
        return
    since = message.received_at - timedelta(hours=1)
    recent = OutboxMessage.objects.filter(
        recipient__iexact=sender, idempotency_key__startswith="inbound-reply:", created_at__gte=since
    ).count()
    if recent >= settings.TOUCHPOINT_NOTICE_CAP_PER_HOUR:
        message.no_reply_reason = f"not answered: {recent} automated answers to this sender in the last hour"
        log.warning("inbound notice cap reached for %s (message %s)", sender, message.pk)
        return
    name = message.customer.first_name if message.customer is not None else ""
    greeting = f"Hello {name}," if name else "Hello,"
    body = "\n\n".join(
        [
            greeting,
            *lines,
            "To talk to a person, just reply to this email: a person reads every reply we can't act on.",
        ]
    )
    subject = message.subject or "your message"
    if message.case is not None and message.case.reference not in subject:
        subject = f"{message.case.reference}: {subject}"
    headers = {"Auto-Submitted": "auto-replied"}
    if message.message_id:
        headers.update({"In-Reply-To": message.message_id, "References": message.message_id})
    # A message on a case carries the case's reply address and our Message-IDs: keys that act for the
    # customer. Only the case's customer gets them; anyone else gets a plain answer.
    case = message.case
    if case is not None and case.customer.email.lower() != sender.lower():
        case = None
    message.reply = notice_enqueue(
        recipient=sender,
        subject=subject if subject.lower().startswith("re:") else f"Re: {subject}",
        body_text=body,
        idempotency_key=REPLY_KEY.format(pk=message.pk),
        case=case,
        headers=headers,
    )
