"""``{% load promises %}``: a promised time in templates, said as the services say it.

``{{ task.due_at|by_words }}`` → ``by 14:30 today`` (:func:`touchpoint.core.promises.by_words`)."""

from __future__ import annotations

from datetime import datetime

from django import template

from touchpoint.core import promises

register = template.Library()


@register.filter
def by_words(moment: datetime | None) -> str:
    return promises.by_words(moment) if moment is not None else ""


@register.filter
def when_words(moment: datetime | None) -> str:
    return promises.when_words(moment) if moment is not None else ""
