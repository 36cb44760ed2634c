"""What a public form keeps of what was typed (the *draft*), so a reload brings it back: bounded.

Anyone can post to the order and report forms, so nothing is kept before three checks, in this
order: the request's size (:func:`body_too_large`, read from its Content-Length before Django
parses a byte), each value's length against its form field (an oversized value is shown back on
the page with its error, never stored), and, when keeping it would start a new session row, a
limit per client on new sessions (:data:`NEW_SESSIONS`). A visitor who already has a session
rewrites their one row. Sessions end after ``SESSION_COOKIE_AGE``; the worker's housekeeping
deletes the ended ones (:func:`touchpoint.core.sessions.sessions_prune`)."""

from __future__ import annotations

from django import forms
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest

from touchpoint.core.ratelimit import Limit, client_key, ratelimit_hit

# Far above the largest order a browser can send (every field at its limit, in four-byte
# characters, URL-encoded), far below Django's 2.5 MB DATA_UPLOAD_MAX_MEMORY_SIZE.
BODY_MAX = 64 * 1024
# New sessions one client may start per hour by sending a form: a browser starts one per visit.
NEW_SESSIONS = Limit(20, 3600)
# The longest value kept for a field without a max_length (a choice, a tick box): choices are short.
CHOICE_MAX = 100


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
