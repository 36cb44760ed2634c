"""``POST /hooks/stripe``: Stripe's events, verified with its signature scheme and applied once.

Stripe retries anything but a 2xx for three days, so only a problem a retry can fix (the case was
busy) answers 409/503; one it can't (a forged or unreadable request, a session we never made)
answers 400 with the reason, and nothing is changed."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from touchpoint.cases.errors import CaseConflict
from touchpoint.flows.payments import UnknownSession, payment_event_apply
from touchpoint.payments.providers.base import WebhookRejected
from touchpoint.payments.providers.registry import stripe_provider

MAX_BYTES = 256 * 1024  # Stripe's events are a few kilobytes


def _error(status: int, message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


@csrf_exempt  # machine-to-machine: authenticated by the Stripe-Signature, not a browser session
@require_POST
def stripe_hook(request: HttpRequest) -> JsonResponse:
    provider = stripe_provider()
    if provider is None:
        return _error(503, "Stripe is not configured here: set STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET")
    body = request.read(MAX_BYTES + 1)
    if len(body) > MAX_BYTES:
        return _error(413, f"the event is larger than {MAX_BYTES} bytes")
    try:
        event = provider.event_parse(payload=body, signature=request.headers.get("Stripe-Signature"))
        applied = payment_event_apply(event=event)
    except WebhookRejected as exc:
        return _error(400, str(exc))
    except UnknownSession as exc:
        return _error(400, str(exc))
    except CaseConflict:
        return _error(409, "the case changed while this event was applied; nothing was recorded: retry")
    record = applied.record
    return JsonResponse(
        {
            "event": record.event_id,
            "type": record.type,
            "duplicate": applied.duplicate,
            "outcome": record.outcome,
            "detail": record.detail,
        }
    )
