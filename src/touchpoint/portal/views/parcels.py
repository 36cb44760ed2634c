"""The parcels on the customer's case page: each one's journey in its carrier's words, with the
carrier's own tracking link."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from touchpoint.cases.journeys import journey_of
from touchpoint.cases.models import Case
from touchpoint.shipping.selectors import parcel_possible, parcels_of

# Each leg as the customer thinks of it (the staff words are the shop's point of view).
LEG_WORDS = {
    "box": "Your repair kit",
    "inbound": "Your device, on its way to us",
    "return": "Your device, on its way home",
}


def parcels_panel(request: HttpRequest, case: Case, token: str) -> dict[str, Any] | None:
    """Shown once a parcel of the case can be followed: a tracking number, or a carrier's scan. No
    query for a case in a state no parcel can have left by (the case's journey comes with it)."""
    if not parcel_possible(journey=journey_of(case.journey), state=case.state):
        return None
    parcels = parcels_of(case=case)
    if not parcels:
        return None
    return {"parcels": [{"parcel": parcel, "leg": LEG_WORDS.get(parcel.leg, "Your parcel")} for parcel in parcels]}
