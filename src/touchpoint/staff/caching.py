"""Staff pages are never stored: not by the browser (a shared computer's back button, its disk cache)
nor by a proxy. One middleware covers the whole staff URL space (the console, with the scan station
and the exports, and the Django admin), so a page added later can't forget it."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

STAFF_NAMESPACES = frozenset({"console", "admin"})


class StaffPagesNoStoreMiddleware:
    """``Cache-Control: max-age=0, no-cache, no-store, must-revalidate, private`` (Django's
    ``never_cache``) on every response of a view in the console or admin namespaces."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        match = request.resolver_match
        if match is not None and STAFF_NAMESPACES.intersection(match.namespaces):
            add_never_cache_headers(response)
        return response
