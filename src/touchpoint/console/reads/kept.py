"""The staff case view's timeline and customer card, kept between requests
(docs/decisions/0012-the-case-views-change-marks.md).

The timeline is the page's longest part (three reads: entries, outgoing and incoming messages, and the
template that draws them); the customer card the costliest to read (three statements, one with two
sums). Each is kept, drawn, with Django's cache under a key that holds everything it shows, so a kept
part is never stale, only unused:

- the case's **marks**, one statement read right after the case (``core/sql.py`` ``case_marks``): for the
  timeline, how many timeline entries the case has (append-only: TimelineEntry refuses updates), the
  names of the people who wrote them (a digest: a colleague renamed in the console or the admin), and
  the sums of the write counters (``changed``, moved by every write of the row: core/changes.py) of
  the customer's messages on it and of its outgoing messages (sent, failed, a delivery receipt,
  cancelled, released); for the card, the sums of the write counters of the customer's cases,
  payments, refunds, tasks and messages, and how many feedbacks they gave (written once by
  ``feedback_give``; the admin shows what the card shows read-only);
- what the row in hand shows (the customer's own fields for the card), the journey version (its id
  and content hash: labels and touch points' words), the team names (a digest, read on every page
  anyway), the shop's currency and time zone, and the template's name.

The marks are read *before* the rows on a miss, so what is kept under a key is never older than the key
(a change committed in between makes the kept copy newer than its key, which the next page's marks,
moved by that change, never ask for). The cache is per process today (LocMem: the settings name no
``CACHES``); with a shared cache the same keys hold."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import tzinfo

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from touchpoint.cases.models import Case
from touchpoint.console.reads.customer_context import customer_context
from touchpoint.console.reads.timeline import case_timeline, inbound_rows, message_rows
from touchpoint.journeys import Journey

TEMPLATE = "console/case/_timeline.html"
KEPT_SECONDS = 24 * 3600  # a key never goes stale; this only lets an unused copy go


CARD = "console/case/_context.html"

# The rows the kept parts are drawn from, and what keeps each honest (tests/core/test_changes.py walks
# them): counted rows move their write counter with every write (core/changes.py); the timeline's
# entries refuse any write after their insert; a feedback is only ever created (feedback_give; the
# admin shows what the card shows read-only). The customer's own row and the journey version are read
# with the case (a version never changes), the entries' authors' names with the marks.
COUNTED = (
    "cases.Case", "cases.Task", "payments.Payment", "payments.Refund", "outbox.OutboxMessage", "inbox.InboundMessage",
    "wall.WallItem",  # the public wall's page is kept the same way (portal/views/wall.py)
)  # fmt: skip
APPEND_ONLY = ("cases.TimelineEntry",)
WRITTEN_ONCE = ("feedback.Feedback",)


@dataclass(frozen=True, slots=True)
class Marks:
    """What moves whenever the timeline or the customer card would show something else (core/sql.py case_marks)."""

    entries: int  # timeline entries (never updated nor deleted)
    authors: str  # a digest of the names of the people who wrote them, as they are now
    inbound: int  # the sum of the write counters of the customer's messages on the case (0: none)
    outbound: int  # the sum of the case's outgoing messages' write counters
    # The customer's: the sums of their cases', payments', refunds', tasks' and messages' write
    # counters, and how many feedbacks they gave.
    cases: int
    payments: int
    refunds: int
    tasks: int
    feedback: int
    said: int


@dataclass(frozen=True, slots=True)
class KeptTimeline:
    html: SafeString
    events: frozenset[str]  # every event in the timeline, for the panels' gates (console/panels.py)


def _digest(value: object) -> str:
    return hashlib.blake2b(repr(value).encode(), digest_size=8).hexdigest()


def _names_digest(names: dict[str, str]) -> str:
    return _digest(sorted(names.items()))


def timeline_key(*, case: Case, marks: Marks, names: dict[str, str], zone: tzinfo) -> str:
    """The cache key of a case's drawn timeline: everything it shows, by what moves when it changes.
    The case's opening moment beside its id: a database rebuilt under a running process (the demo's
    reset) gives the same ids to other cases."""
    return (
        f"case-timeline:{TEMPLATE}:{case.pk}:{case.opened_at.timestamp()}:{marks.entries}:{marks.authors}:{marks.inbound}:"
        f"{marks.outbound}:{case.journey_id}:{case.journey.sha256}:{_names_digest(names)}:{zone}"
    )


def kept_timeline(*, case: Case, marks: Marks, journey: Journey, names: dict[str, str], zone: tzinfo) -> KeptTimeline:
    """The case's timeline drawn (``journey``: its version parsed), from the cache when its key is
    there; else read (two queries, three when the customer wrote), drawn and kept."""
    key = timeline_key(case=case, marks=marks, names=names, zone=zone)
    case_id = case.pk
    found = cache.get(key)
    if isinstance(found, KeptTimeline):
        return found
    messages = message_rows(case_id)
    inbound = inbound_rows(case_id) if marks.inbound else []
    items = case_timeline(case_id=case_id, messages=messages, inbound=inbound, journey=journey, names=names, zone=zone)
    kept = KeptTimeline(
        html=SafeString(render_to_string(TEMPLATE, {"timeline": items})),
        events=frozenset(item.event for item in items),
    )
    cache.set(key, kept, KEPT_SECONDS)
    return kept


# What the card shows of the customer's own row (read with the case, so its key holds them as they are).
CUSTOMER_SHOWN = (
    "name", "tier", "preferred_channel", "texts_only", "phone", "plain_messages", "email", "email_failing",
    "sms_opted_out_at",
)  # fmt: skip


def card_key(*, case: Case, marks: Marks, currency: str, zone: tzinfo) -> str:
    """The cache key of the customer card drawn on ``case``'s page (the case itself is left out of
    "earlier cases", so its id is in the key)."""
    customer = case.customer
    shown = _digest([getattr(customer, name) for name in CUSTOMER_SHOWN])
    return (
        f"case-card:{CARD}:{case.pk}:{case.opened_at.timestamp()}:{customer.pk}:{shown}:{marks.cases}:"
        f"{marks.payments}:{marks.refunds}:{marks.tasks}:{marks.feedback}:{marks.said}:{currency}:{zone}"
    )


def kept_card(*, case: Case, marks: Marks, currency: str, zone: tzinfo) -> SafeString:
    """The customer card drawn, from the cache when its key is there; else read (three queries),
    drawn and kept."""
    key = card_key(case=case, marks=marks, currency=currency, zone=zone)
    found = cache.get(key)
    if isinstance(found, str):
        return SafeString(found)
    html = render_to_string(CARD, {"ctx": customer_context(customer=case.customer, exclude_case=case)})
    cache.set(key, html, KEPT_SECONDS)
    return SafeString(html)
