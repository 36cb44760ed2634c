"""Direction controls in text people write can't reorder what we show around them.

Unicode's explicit direction controls (embeddings and overrides U+202A–U+202E, isolates
U+2066–U+2069) make a browser draw the characters after them in another order than they are
stored: a review reading "Great service <U+202E>gnp.exe" shows as "Great service exe.png", and a file
named "invoice<U+202E>fdp.exe" shows as "invoiceexe.pdf". No one types them on purpose in a name, a review
or a message, so wherever a customer's words reach a page or a file name, each control is drawn as
U+FFFD (�) instead: seen, and without effect.

The implicit marks (LRM U+200E, RLM U+200F, ALM U+061C) and the zero-width joiners stay: they
change no order of strong letters, Arabic, Persian and Hebrew writing needs them, and emoji are
built with U+200D. What a right-to-left name does to the neutral characters beside it is kept inside
it by ``<bdi>`` / ``dir="auto"`` (the ``isolate`` filter in ``{% load bidi %}``).

:class:`BidiControlsMiddleware` applies this to every HTML page we send, so no template or
Python-built fragment can forget it; :func:`bidi_visible` does it for text that leaves as something
other than a page (a download's file name, a CSV cell)."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBase

CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
SHOWN_AS = "\ufffd"
_TABLE = str.maketrans(dict.fromkeys(CONTROLS, SHOWN_AS))
# The same characters in UTF-8: E2 80 AA..AE and E2 81 A6..A9 (pages are always UTF-8 here).
_CONTROLS_UTF8 = re.compile(rb"\xe2(?:\x80[\xaa-\xae]|\x81[\xa6-\xa9])")
_SHOWN_AS_UTF8 = SHOWN_AS.encode()


def bidi_visible(text: str) -> str:
    """``text`` with every explicit direction control replaced by a visible U+FFFD."""
    return text.translate(_TABLE)


class BidiControlsMiddleware:
    """Every HTML page leaves with its direction controls made visible (see the module's doc)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if (
            isinstance(response, HttpResponse)  # not a streamed file
            and response.get("Content-Type", "").startswith("text/html")
            and response.charset.lower() == "utf-8"
            and _CONTROLS_UTF8.search(response.content)
        ):
            response.content = _CONTROLS_UTF8.sub(_SHOWN_AS_UTF8, response.content)
            if response.has_header("Content-Length"):
                response["Content-Length"] = str(len(response.content))
        return response
