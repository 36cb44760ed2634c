"""``{% load bidi %}``: a customer's words set inline among ours, isolated so they can't pull ours around.

``{{ customer.name|isolate }}`` → ``<bdi>Ann Lee</bdi>``: the browser lays the name out on its
own, so a right-to-left name can't move the reference or the punctuation beside it. The direction
controls inside it are drawn visibly (:mod:`touchpoint.core.bidi`). Text in a block of its own
takes ``dir="auto"`` on that block instead."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from touchpoint.core.bidi import bidi_visible

register = template.Library()


@register.filter
def isolate(value: object) -> SafeString:
    return format_html("<bdi>{}</bdi>", bidi_visible(str(value)))
