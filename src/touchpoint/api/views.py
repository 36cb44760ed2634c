"""Signed inbound webhooks. Thin: check the request, call one service, answer in JSON."""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from touchpoint.api.signing import signature_problem
from touchpoint.inbox.models import Source
from touchpoint.inbox.services import inbound_receive

log = logging.getLogger(__name__)


def _error(status: int, message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


@csrf_exempt  # machine-to-machine: authenticated by the HMAC signature, not a browser session
@require_POST
def email_hook(request: HttpRequest) -> JsonResponse:
    """``POST /hooks/email``: one raw MIME message (``Content-Type: message/rfc822``), signed."""
    limit = settings.TOUCHPOINT_INBOUND_MAX_BYTES
    too_big = _error(
        413,
        f"the message is larger than {limit} bytes: send attachments as links, or raise TOUCHPOINT_INBOUND_MAX_BYTES",
    )
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return _error(400, "Content-Length is not a number")
    if declared > limit:
        return too_big
    body = request.read(limit + 1)  # the stream, not request.body: its own 2.5 MB limit would answer 400
    if len(body) > limit:
        return too_big
    secret = settings.TOUCHPOINT_INBOUND_WEBHOOK_SECRET
    if not secret:
        return _error(503, "inbound email is not configured here: set TOUCHPOINT_INBOUND_WEBHOOK_SECRET")
    problem = signature_problem(
        secret=secret,
        timestamp=request.headers.get("X-Touchpoint-Timestamp"),
        signature=request.headers.get("X-Touchpoint-Signature"),
        body=body,
    )
    if problem is not None:
        return _error(401, problem)
    if not body.strip():
        return _error(400, "the body is empty: send the whole raw message, headers and body")
    if request.content_type != "message/rfc822":
        return _error(415, "send the raw message with Content-Type: message/rfc822")
    try:
        result = inbound_receive(raw=body, source=Source.WEBHOOK)
    except Exception:  # the mail is not the problem (parsing never fails); tell the sender to retry
        log.exception("inbound email could not be stored")
        return _error(503, "we could not store the message just now: retry later")
    message = result.message
    return JsonResponse(
        {
            "id": message.pk,
            "duplicate": result.duplicate,
            "kind": message.kind,
            "case": message.case.reference if message.case is not None else None,
            "matched_by": message.matched_by or None,
        }
    )
