"""The case view's timeline rows, built in Python: escaped, and saying what the template said."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from touchpoint.cases.selectors.case_view import InboundView, MessageView, TimelineItem
from touchpoint.console.html import time_tag, timeline_rows

LONDON = ZoneInfo("Europe/London")


def item(**changes: object) -> TimelineItem:
    base: dict[str, object] = {
        "at": datetime(2026, 7, 4, 13, 5, tzinfo=UTC),
        "kind": "note",
        "event": "note_added",
        "actor": "Ann <Lee>",
        "summary": "Noted",
    }
    return TimelineItem(**{**base, **changes})  # type: ignore[arg-type]


def test_a_note_is_escaped_with_its_line_breaks_and_marked_internal() -> None:
    html = timeline_rows([item(internal=True, note="line one\r\n<script>alert(1)</script>")], LONDON)
    assert '<li class="entry entry-note internal">' in html
    assert '<time datetime="2026-07-04T14:05:00+01:00">4 Jul 14:05</time> · Ann &lt;Lee&gt;' in html
    assert '· <span class="pill">internal</span>' in html
    assert "line one<br>&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>" not in html


def test_messages_say_automated_or_personal_with_their_status() -> None:
    automated = MessageView(
        "Your repair", "sober", True, "delay", "A step is late & why", "sent", "Sent", "a@x.test", "Hi & bye"
    )
    personal = MessageView("Re: it", "", False, "", "", "failed", "Failed", "a@x.test", "text")
    html = timeline_rows([item(kind="transition", message=automated), item(message=personal)], LONDON)
    # The persona message by what it says, never by its key.
    assert "“Your repair” to a@x.test · automated: persona message “A step is late &amp; why” · tone sober · " in html
    assert "delay" not in html
    assert '<span class="status status-sent">Sent</span>' in html and "<pre>Hi &amp; bye</pre>" in html
    assert "“Re: it” to a@x.test · personal: own words · <span" in html


def test_a_step_recorded_by_hand_says_so_beside_who_recorded_it() -> None:
    html = timeline_rows([item(kind="transition", actor="Priya, for the carrier", manual="she rang")], LONDON)
    assert '· Priya, for the carrier · <span class="pill manual">recorded by hand</span></p>' in html


def test_a_customer_message_is_cut_at_600_characters_with_its_sentiment() -> None:
    html = timeline_rows([item(kind="message", inbound=InboundView("Help", "x" * 700, -0.5))], LONDON)
    assert '<blockquote class="inbound">' + "x" * 599 + "…</blockquote>" in html
    assert '<p class="muted">Sentiment -0.50</p>' in html


def test_an_empty_timeline_says_so_and_winter_times_have_no_offset() -> None:
    assert timeline_rows([], LONDON) == "<li>Nothing yet.</li>"
    winter = time_tag(datetime(2026, 1, 6, 9, 30, tzinfo=UTC), LONDON, weekday=True)
    assert winter == '<time datetime="2026-01-06T09:30:00+00:00">Tue 6 Jan, 09:30</time>'
