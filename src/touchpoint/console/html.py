"""Pieces of console markup built in Python for the busiest pages (queues, the case view), where
the template engine's cost per row is most of the page's. Every value from the database is escaped
here; what these return is safe to put in a template as it is."""

from __future__ import annotations

from datetime import datetime, tzinfo
from html import escape

from django.template.defaultfilters import floatformat
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from touchpoint.cases.selectors.case_view import TimelineItem

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def time_tag(at: datetime, zone: tzinfo, *, weekday: bool = False) -> str:
    """``<time>`` for ``at`` in the shop's zone: "4 Mar 14:05", or "Tue 4 Mar, 14:05" with ``weekday``
    (day and month names from tables: strftime and the template's date filter cost a row a lot)."""
    local = at.astimezone(zone)
    clock = f"{local.hour:02d}:{local.minute:02d}"
    if weekday:
        when = f"{DAYS[local.weekday()]} {local.day} {MONTHS[local.month]}, {clock}"
    else:
        when = f"{local.day} {MONTHS[local.month]} {clock}"
    return f'<time datetime="{local.isoformat()}">{when}</time>'


def lines(text: str) -> str:
    """Escaped, each line break a ``<br>`` (the ``linebreaksbr`` filter)."""
    return escape(text.replace("\r\n", "\n").replace("\r", "\n")).replace("\n", "<br>")


def timeline_rows(items: list[TimelineItem], zone: tzinfo) -> SafeString:
    """The case view's timeline entries, newest first, as ``<li>``s."""
    out = []
    for item in items:
        pills = ' · <span class="pill">internal</span>' if item.internal else ""
        if item.manual:
            pills += ' · <span class="pill manual">recorded by hand</span>'
        parts = [
            f'<li class="entry entry-{escape(item.kind)}{" internal" if item.internal else ""}">',
            f'<p class="meta">{time_tag(item.at, zone)} · {escape(item.actor)}{pills}</p>',
            f'<p class="summary">{escape(item.summary)}</p>',
        ]
        if item.note:
            parts.append(f'<blockquote class="note-text">{lines(item.note)}</blockquote>')
        if item.message is not None:
            m = item.message
            if m.automated:
                # The persona message by what it says, never by its key.
                how = "automated" + (f": persona message “{escape(m.template_words)}”" if m.template_words else "")
            else:
                how = "personal: own words"
            tone = f" · tone {escape(m.tone)}" if m.tone else ""
            parts.append(
                f'<p class="message">“{escape(m.subject)}” to {escape(m.recipient)} · {how}{tone} · '
                f'<span class="status status-{escape(m.status)}">{escape(m.status_label)}</span></p>'
                f"<details><summary>Read the message</summary><pre>{escape(m.body)}</pre></details>"
            )
        if item.inbound is not None:
            parts.append(f'<blockquote class="inbound">{lines(Truncator(item.inbound.text).chars(600))}</blockquote>')
            if item.inbound.proof:  # whether it could act by itself, or waits for a person
                parts.append(f'<p class="muted proof">{escape(item.inbound.proof)}</p>')
            if item.inbound.sentiment is not None:
                parts.append(f'<p class="muted">Sentiment {floatformat(item.inbound.sentiment, 2)}</p>')
        parts.append("</li>")
        out.append("\n".join(parts))
    return mark_safe("\n".join(out) or "<li>Nothing yet.</li>")  # noqa: S308 - every value escaped above
