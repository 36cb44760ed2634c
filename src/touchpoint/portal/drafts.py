"""What a public form keeps of what was typed (the *draft*), so a reload brings it back: bounded.

Drawing the form writes nothing: its one-time key (the *nonce*, the order's idempotency key) is kept
across reloads in a cookie of its own (:func:`form_nonce`), not in a session row, so a page anyone can
open as often as they like costs no write (on SQLite, every write waits its turn for the one write
lock). A session row is kept only for a draft: what was typed, when the page came back refused.

Anyone can post to the order and report forms, so nothing is kept before three checks, in this
order: the request's size (:func:`body_too_large`, read from its Content-Length before Django
parses a byte), each value's length against its form field (an oversized value is shown back on
the page with its error, never stored), and, when keeping it would start a new session row, a
limit per client on new sessions (:data:`NEW_SESSIONS`). A visitor who already has a session
rewrites their one row. Sessions end after ``SESSION_COOKIE_AGE``; the worker's housekeeping
deletes the ended ones (:func:`touchpoint.core.sessions.sessions_prune`)."""

from __future__ import annotations

import secrets

from django import forms
from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest, HttpResponse

from touchpoint.core.ratelimit import Limit, client_key, ratelimit_hit

# Far above the largest order a browser can send (every field at its limit, in four-byte
# characters, URL-encoded), far below Django's 2.5 MB DATA_UPLOAD_MAX_MEMORY_SIZE.
BODY_MAX = 64 * 1024
# New sessions one client may start per hour by sending a form: a browser starts one per visit.
NEW_SESSIONS = Limit(20, 3600)
# The longest value kept for a field without a max_length (a choice, a tick box): choices are short.
CHOICE_MAX = 100
NONCE_MAX_AGE = 24 * 3600  # a form left open for a day gets a new key: no order is that slow
_NONCE_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def form_nonce(request: HttpRequest, *, cookie: str, draft: dict[str, str]) -> tuple[str, bool]:
    """The one-time key the page's form carries, the same on every reload until the form is sent:
    the draft's, else the one this browser was given (``cookie``), else a new one. True when it is
    new, so the caller remembers it (:func:`nonce_remember`). The key only makes sending the same
    page twice place one order; it proves nothing, so the cookie needs no signature."""
    kept = draft.get("nonce") or request.COOKIES.get(cookie, "")
    if 16 <= len(kept) <= 64 and set(kept) <= _NONCE_CHARS:
        return kept, False
    return secrets.token_urlsafe(24), True


def nonce_remember(response: HttpResponse, *, cookie: str, nonce: str, path: str) -> None:
    response.set_cookie(
        cookie,
        nonce,
        max_age=NONCE_MAX_AGE,
        path=path,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def nonce_forget(response: HttpResponse, *, cookie: str, path: str) -> None:
    """The form was placed: the next page gets a new key (a second order is a new order)."""
    response.delete_cookie(cookie, path=path, samesite="Lax")


def body_too_large(request: HttpRequest, *, limit: int = BODY_MAX) -> bool:
    """True when the request says it carries more than ``limit`` bytes (or says it nonsensically).
    Checked before ``request.POST`` is touched, so nothing of it is read."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return True
    return length < 0 or length > limit


def _has_session(request: HttpRequest) -> bool:
    """Does this request carry a session that is stored already? (A cookie naming a session that
    ended counts as none: saving would write a new row.)"""
    session: SessionBase = request.session
    session.keys()  # loads it: an unknown or ended key is forgotten here
    return session.session_key is not None


def draft_may_start(request: HttpRequest) -> bool:
    """True when keeping a draft writes no new row (the visitor has a session), or a new one is
    within this client's :data:`NEW_SESSIONS`. Counts the new session when it says yes."""
    if _has_session(request):
        return True
    return ratelimit_hit(scope="portal.drafts.new", key=client_key(request), limit=NEW_SESSIONS)


def draft_keep(request: HttpRequest, *, key: str, form: forms.Form, names: list[str]) -> bool:
    """Keep the posted values of ``names`` under ``key`` in the session: each only when it fits its
    field of ``form`` (its ``max_length``, or :data:`CHOICE_MAX`). False when nothing was kept
    because the client has started too many sessions; the page still shows what was typed."""
    values: dict[str, str] = {}
    for name in names:
        if name not in request.POST:
            continue
        value = request.POST.get(name, "")
        field = form.fields.get(name)
        limit = getattr(field, "max_length", None) or CHOICE_MAX
        # Nobody types a null character, and PostgreSQL refuses one in the lookups the page makes with
        # the draft (its device, say): such a value is never kept.
        if len(value) <= limit and "\x00" not in value:
            values[name] = value
    if not draft_may_start(request):
        return False
    request.session[key] = values
    return True
