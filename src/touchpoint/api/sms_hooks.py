"""``POST /hooks/sms/twilio/status`` (delivery receipts) and ``POST /hooks/sms/twilio/inbound``
(texts from customers), each verified with ``X-Twilio-Signature`` by twilio's own
``RequestValidator`` and applied once (docs/sms.md).

Twilio signs the URL it requested plus the posted fields with the account's auth token. Behind a
proxy that URL is not the one Django sees (http, an inner host and port), so the shop's public
address (``TOUCHPOINT_PUBLIC_URL``, the one the status callbacks are given) is tried first, then
the request's own. A forged, unsigned or unreadable request answers 401 or 400 with the reason and
changes nothing; nothing a retry can't fix answers 5xx."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from twilio.request_validator import (
    SIGNATURE_SETTINGS_HEADER,
    RequestValidator,
    get_signature_algorithm,
)

from touchpoint.cases.errors import CaseConflict
from touchpoint.inbox.texts import InboundText, text_receive
from touchpoint.outbox.receipts import receipt_apply

log = logging.getLogger(__name__)

MAX_BYTES = 64 * 1024  # a status callback is a few hundred bytes; an inbound text with ten pictures a few kB
MAX_MEDIA = 10  # Twilio sends at most ten pictures with one message
SID_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")


def _error(status: int, message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def _signed_urls(request: HttpRequest) -> list[str]:
    """The URLs Twilio may have signed: the public address's, then the one this request arrived at."""
    public = urlsplit(settings.TOUCHPOINT_PUBLIC_URL)
    urls = [f"{public.scheme}://{public.netloc}{request.get_full_path()}"]
    try:
        own = request.build_absolute_uri()
    except Exception:  # a Host header ALLOWED_HOSTS refuses: only the public address can match
        own = ""
    if own and own not in urls:
        urls.append(own)
    return urls


def _verified(request: HttpRequest) -> tuple[QueryDict, bytes] | JsonResponse:
    """The posted fields (and the bytes they came in) when the request is Twilio's, else the answer
    saying what is wrong."""
    token = str(getattr(settings, "TWILIO_AUTH_TOKEN", "") or "")
    if not token:
        return _error(503, "Twilio is not configured here: set TWILIO_AUTH_TOKEN (docs/sms.md)")
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return _error(400, "Content-Length is not a number")
    too_big = _error(413, f"the request is larger than {MAX_BYTES} bytes")
    if declared > MAX_BYTES:
        return too_big
    body = request.read(MAX_BYTES + 1)  # the stream: request.POST would have no limit of ours
    if len(body) > MAX_BYTES:
        return too_big
    signature = request.headers.get("X-Twilio-Signature", "")
    if not signature:
        return _error(401, "missing X-Twilio-Signature: Twilio signs every webhook with the account's auth token")
    if request.content_type != "application/x-www-form-urlencoded":
        return _error(415, "send the fields form-encoded (application/x-www-form-urlencoded), as Twilio does")
    try:
        fields = QueryDict(body.decode("utf-8"), encoding="utf-8")
    except (UnicodeDecodeError, ValueError):
        return _error(400, "the body is not UTF-8 form fields")
    algorithm = get_signature_algorithm(request.headers.get(SIGNATURE_SETTINGS_HEADER))
    validator = RequestValidator(token)
    if not any(validator.validate(url, fields, signature, algorithm) for url in _signed_urls(request)):
        return _error(
            401,
            "the X-Twilio-Signature does not match: Twilio signs the URL it called (set TOUCHPOINT_PUBLIC_URL "
            "to the address Twilio is given) and the posted fields with TWILIO_AUTH_TOKEN",
        )
    return fields, body


def _field(fields: QueryDict, name: str) -> str:
    """A posted field as text we can store: without NUL characters (PostgreSQL refuses them)."""
    return (fields.get(name) or "").replace("\x00", "")


def _sid(fields: QueryDict, name: str) -> str | None:
    value = _field(fields, name).strip()
    return value if 10 <= len(value) <= 64 and set(value) <= SID_CHARS else None


def _message_id(request: HttpRequest) -> int | None:
    """Our id for the text, from the status callback's address (``?m=``, covered by the signature)."""
    value = request.GET.get("m", "")
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 18 else None


@csrf_exempt  # machine-to-machine: authenticated by the X-Twilio-Signature, not a browser session
@require_POST
def twilio_status(request: HttpRequest) -> JsonResponse:
    """A text's delivery receipt: its status moves forward only; undelivered falls back to email."""
    verified = _verified(request)
    if isinstance(verified, JsonResponse):
        return verified
    fields, _ = verified
    sid = _sid(fields, "MessageSid") or _sid(fields, "SmsSid")
    status = (_field(fields, "MessageStatus") or _field(fields, "SmsStatus")).strip().lower()
    if sid is None or not status:
        return _error(400, "not a Twilio status callback: MessageSid and MessageStatus are required")
    if len(status) > 32 or not status.replace("_", "").isalpha():
        return _error(400, f"MessageStatus {status[:40]!r} is not a delivery status")
    code = _field(fields, "ErrorCode").strip()[:10]
    words = _field(fields, "ErrorMessage").strip()
    try:
        applied = receipt_apply(
            provider_ref=sid, status=status, error_code=code, error_message=words, message_id=_message_id(request)
        )
    except CaseConflict:
        return _error(409, "the case changed while this receipt was applied; nothing was recorded: retry")
    return JsonResponse(
        {
            "sid": sid,
            "status": status,
            "outcome": applied.outcome,
            "message": applied.message_id,
            "fallback": applied.fallback_id,
            "task": applied.task_id,
        }
    )


@csrf_exempt  # machine-to-machine: authenticated by the X-Twilio-Signature, not a browser session
@require_POST
def twilio_inbound(request: HttpRequest) -> HttpResponse:
    """A text from a customer: kept, and answered (if at all) through the outbox, never in TwiML, so
    an answer is retried and recorded like every other message. The empty TwiML says "no reply here"."""
    verified = _verified(request)
    if isinstance(verified, JsonResponse):
        return verified
    fields, body = verified
    sid = _sid(fields, "MessageSid") or _sid(fields, "SmsSid")
    sender = _field(fields, "From").strip()
    if sid is None or not sender:
        return _error(400, "not a Twilio inbound message: MessageSid and From are required")
    try:
        count = int(fields.get("NumMedia") or 0)
    except ValueError:
        return _error(400, "NumMedia is not a number")
    kinds = (_field(fields, f"MediaContentType{n}") for n in range(min(count, MAX_MEDIA)))
    media = tuple((kind or "application/octet-stream")[:100] for kind in kinds)
    text = InboundText(
        sid=sid,
        sender=sender[:40],
        to=_field(fields, "To").strip()[:40],
        body=_field(fields, "Body")[:5000],
        media=media,
        raw=body,
    )
    try:
        result = text_receive(text=text)
    except CaseConflict:
        return _error(409, "the case changed while this text was stored; nothing was recorded: retry")
    message = result.message
    log.info("inbound text %s stored as %s (duplicate=%s)", sid, message.pk, result.duplicate)
    return HttpResponse(
        '<?xml version="1.0" encoding="UTF-8"?><Response></Response>',
        content_type="text/xml; charset=utf-8",
        headers={
            "X-Touchpoint-Message": str(message.pk),
            "X-Touchpoint-Duplicate": "1" if result.duplicate else "0",
            "X-Touchpoint-Case": message.case.reference if message.case is not None else "",
        },
    )
