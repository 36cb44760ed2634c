"""``{% load touchpoint_html %}``: a message's text body as HTML paragraphs, for a file that writes
no ``html`` part (``touchpoints/_html_from_text.html`` draws the ``<p>`` of each)."""

from __future__ import annotations

from django import template
from django.utils.html import conditional_escape, format_html_join
from django.utils.safestring import SafeString, mark_safe

register = template.Library()
LINE_BREAK = mark_safe("<br>\n")


@register.filter
def paragraphs(body: str) -> list[SafeString]:
    """``body`` (a text part rendered for HTML, so its values are escaped; anything else is escaped
    here) as paragraphs: a blank line parts them, each line is stripped, lines within one are
    joined by a line break."""
    escaped = str(conditional_escape(body))
    blocks: list[list[SafeString]] = [[]]
    for line in escaped.splitlines():
        if line.strip():
            blocks[-1].append(mark_safe(line.strip()))  # noqa: S308 - escaped above
        elif blocks[-1]:
            blocks.append([])
    return [format_html_join(LINE_BREAK, "{}", ((line,) for line in block)) for block in blocks if block]
