"""The parcels on the staff case view: every carrier event in the carrier's words and codes, with
the carrier's own tracking link."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from touchpoint.cases.journeys import journey_of
from touchpoint.cases.models import Case
from touchpoint.shipping.models import Leg
from touchpoint.shipping.selectors import parcel_possible, parcels_of


def parcels_panel(request: HttpRequest, case: Case) -> dict[str, Any] | None:
    """Shown once a parcel of the case can be followed: a tracking number, or a carrier's scan. No
    query for a case in a state no parcel can have left by (the case's journey comes with it)."""
    if not parcel_possible(journey=journey_of(case.journey), state=case.state):
        return None
    parcels = parcels_of(case=case)
    if not parcels:
        return None
    legs = dict(Leg.choices)
    return {"parcels": [{"parcel": parcel, "leg": legs.get(parcel.leg, parcel.leg)} for parcel in parcels]}
