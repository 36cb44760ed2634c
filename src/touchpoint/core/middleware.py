"""Requests refused before any view reads them."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest

NULL_REFUSED = "The address has a null character (%00) in it, which no page here takes: check the link."


class NullCharactersMiddleware:
    """A null character (``%00``) in the path or the query string is a 400. No address of ours has one,
    and PostgreSQL refuses NUL in text, so a lookup by a path parameter (a case's reference, a link's
    token) or a search with one would raise DataError: a 500. Form fields refuse it themselves
    (Django's ProhibitNullCharactersValidator); bodies are left to them, unread here."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()
        ):
            return HttpResponseBadRequest(NULL_REFUSED, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
