"""``{% load touchpoint_html %}``: a message's text body as HTML paragraphs, for a file that writes
no ``html`` part (``touchpoints/_html_from_text.html`` draws the markup)."""

from __future__ import annotations

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.filter
def paragraphs(body: str) -> list[list[SafeString]]:
    """``body`` (a text part rendered for HTML, so its values are escaped; anything else is escaped
    here) as paragraphs of lines: a blank line parts paragraphs, each line is stripped."""
    escaped = str(conditional_escape(body))
    out: list[list[SafeString]] = [[]]
    for line in escaped.splitlines():
        if line.strip():
            out[-1].append(mark_safe(line.strip()))  # noqa: S308 - escaped above
        elif out[-1]:
            out.append([])
    return [paragraph for paragraph in out if paragraph]
