"""The request as django-htmx's middleware leaves it: ``request.htmx`` says whether htmx sent it
(``bool(request.htmx)``) and which element triggered it. Annotate a view or middleware that reads it
with :class:`HtmxHttpRequest` (the middleware sits before every middleware that reads it)."""

from __future__ import annotations

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails  # set by django_htmx.middleware.HtmxMiddleware on every request
