"""How a customer's link opens its case: the token in the URL resolves to one case or to a
friendly page that explains and offers a fresh link by email. Nothing else in the portal names a
case, so no URL can be edited to reach another customer's case."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from touchpoint.cases.models import Case
from touchpoint.core.ratelimit import Limit, client_key, ratelimit_hit
from touchpoint.links.services import link_resolve

CaseView = Callable[..., HttpResponse]

_STATUS = {"unknown": 404, "revoked": 410, "expired": 410}
# 256-bit tokens make guessing pointless; this only keeps a guesser's load and noise down.
MISSES = Limit(count=30, seconds=3600)
_EMAILED = "touchpoint_link_emailed"


def link_emailed(request: HttpRequest) -> bool:
    """Did the link this request came by go to the customer's address (``CaseLink.emailed``)? False
    for the link handed to whoever filled in the form: its pages leave out the emails between us
    and the address, since the form proved nothing about who reads that mail."""
    return bool(getattr(request, _EMAILED, False))


def case_link(view: CaseView) -> Callable[..., HttpResponse]:
    """Wrap ``view(request, case, token, ...)`` so it runs only for a working link's case."""

    @wraps(view)
    def wrapped(request: HttpRequest, token: str, *args: Any, **kwargs: Any) -> HttpResponse:
        resolved = link_resolve(token)
        if resolved.link is None:
            problem = resolved.problem or "unknown"
            status = _STATUS[problem]
            if not ratelimit_hit(scope="portal.link.miss", key=client_key(request), limit=MISSES):
                status = 429
            return render(request, "portal/links/problem.html", {"problem": problem}, status=status)
        case: Case = resolved.link.case
        setattr(request, _EMAILED, resolved.link.emailed)  # read by link_emailed()
        response = view(request, case, token, *args, **kwargs)
        # The token is in the URL: keep it out of other sites' logs and out of shared caches.
        # Same-origin, not no-referrer: with no-referrer Chromium posts our own forms with
        # "Origin: null", which the CSRF check refuses.
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Cache-Control", "private, no-store")
        response.headers.setdefault("X-Robots-Tag", "noindex")
        return response

    return wrapped
