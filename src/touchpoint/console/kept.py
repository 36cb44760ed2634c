"""The staff case view's timeline, kept between requests (docs/decisions/0012-the-case-views-change-marker.md).

The timeline is the page's longest part: three reads (entries, outgoing and incoming messages) and the
template that draws them. It is kept, drawn, with Django's cache under a key that holds everything it
shows, so a kept timeline is never stale, only unused:

- the case's **marks**, read with the case row in the same statement (``reads/case_view.py``): how many
  timeline entries it has (append-only), how many messages the customer sent on it (append-only), and
  the sum of its outgoing messages' change counters (``OutboxMessage.changed``, moved by every write of
  a message: sent, failed, a delivery receipt, cancelled, released);
- the journey version (its id and content hash: labels and touch points' words), the team names (a
  digest of them, read on every page anyway), the shop's time zone, and the template's name.

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
from touchpoint.console.reads.timeline import case_timeline, inbound_rows, message_rows
from touchpoint.journeys import Journey

TEMPLATE = "console/case/_timeline.html"
KEPT_SECONDS = 24 * 3600  # a key never goes stale; this only lets an unused copy go


@dataclass(frozen=True, slots=True)
class Marks:
    """What moves whenever the timeline would show something else (read with the case)."""

    entries: int  # timeline entries (never updated nor deleted)
    inbound: int  # the customer's messages on the case (never updated nor deleted)
    outbound: int  # the sum of the case's outgoing messages' change counters


@dataclass(frozen=True, slots=True)
class KeptTimeline:
    html: SafeString
    events: frozenset[str]  # every event in the timeline, for the panels' gates (console/panels.py)


def _names_digest(names: dict[str, str]) -> str:
    return hashlib.blake2b(repr(sorted(names.items())).encode(), digest_size=8).hexdigest()


def timeline_key(*, case: Case, marks: Marks, names: dict[str, str], zone: tzinfo) -> str:
    """The cache key of a case's drawn timeline: everything it shows, by what moves when it changes.
    The case's opening moment beside its id: a database rebuilt under a running process (the demo's
    reset) gives the same ids to other cases."""
    return (
        f"case-timeline:{TEMPLATE}:{case.pk}:{case.opened_at.timestamp()}:{marks.entries}:{marks.inbound}:"
        f"{marks.outbound}:{case.journey_id}:{case.journey.sha256}:{_names_digest(names)}:{zone}"
    )


def kept_timeline(
    *, case: Case, marks: Marks, journey: Journey, names: dict[str, str], zone: tzinfo
) -> KeptTimeline:
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
