"""``POST /hooks/carriers/<provider>``: tracking events from AfterShip, EasyPost and Shippo, each
verified by that provider's own signature scheme, then applied once each (docs/carriers.md).

The providers retry anything but a 2xx, so only a problem a retry can fix (the case was busy) answers
409; one it can't (a forged or unreadable request) answers 401 or 400 with the reason and changes
nothing. An event about a parcel we don't know answers 200 and is not kept: an aggregator's account
often tracks parcels that aren't a case's (the shop's other sales), and a refusal would only be
retried for days."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from touchpoint.cases.errors import CaseConflict
from touchpoint.shipping.carriers import PROVIDERS, Malformed
from touchpoint.shipping.models import Provider
from touchpoint.shipping.tracking import tracking_update_apply

MAX_UPDATES = 250  # checkpoints in one delivery; a real parcel has tens


def _error(status: int, message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


@csrf_exempt  # machine-to-machine: authenticated by the provider's signature, not a browser session
@require_POST
def carrier_hook(request: HttpRequest, provider: str) -> JsonResponse:
    module = PROVIDERS[provider]
    label = Provider(provider).label
    setting = f"TOUCHPOINT_CARRIER_{provider.upper()}_SECRET"
    secret = getattr(settings, setting, "")
    if not secret:
        return _error(503, f"{label} tracking is not configured here: set {setting}")
    limit = settings.TOUCHPOINT_CARRIER_MAX_BYTES
    too_big = _error(413, f"the event is larger than {limit} bytes")
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return _error(400, "Content-Length is not a number")
    if declared > limit:
        return too_big
    body = request.read(limit + 1)  # the stream, not request.body: its own limit would answer 400
    if len(body) > limit:
        return too_big
    if not module.verify(request.headers, body, secret):
        return _error(
            401,
            f"the {module.SIGNATURE_HEADER} signature is missing or does not match: "
            f"{label} signs each event with the webhook secret set in {setting} (docs/carriers.md)",
        )
    try:
        updates = module.parse(body)
    except Malformed as exc:
        return _error(400, f"not a {label} tracking event: {exc}")
    if len(updates) > MAX_UPDATES:
        return _error(400, f"{len(updates)} checkpoints in one event: at most {MAX_UPDATES} are taken")
    answers = []
    for update in sorted(updates, key=lambda u: u.occurred_at):
        try:
            applied = tracking_update_apply(provider=provider, update=update)
        except CaseConflict:
            # What came before is kept; the retry finds it kept and carries on from here.
            return _error(409, "the case changed while this event was applied; nothing more was recorded: retry")
        answers.append(
            {
                "tracking_number": applied.tracking_number,
                "event": applied.event_id,
                "status": applied.status,
                "outcome": applied.outcome,
                "case": applied.case or None,
                "moved_by": applied.moved_by or None,
                "accepted": applied.accepted,
                "refused": applied.refused or None,
            }
        )
    return JsonResponse({"provider": provider, "updates": answers})
