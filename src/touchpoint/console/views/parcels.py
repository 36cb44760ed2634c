"""The parcels on the staff case view: every carrier event in the carrier's words and codes, with
the carrier's own tracking link."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from touchpoint.cases.journeys import journey_of
from touchpoint.cases.models import Case
from touchpoint.shipping.models import Leg
from touchpoint.shipping.selectors import parcels_shown
from touchpoint.shipping.service_levels import chosen_of


def parcels_panel(request: HttpRequest, case: Case) -> dict[str, Any] | None:
    """Shown once a parcel can be followed: the carrier's scans, or the parcel it holds now. No query
    for a case in a state no parcel can have left by (the case's journey comes with it)."""
    parcels = parcels_shown(case=case, journey=journey_of(case.journey), voids=True)  # staff see labels set aside
    if not parcels:
        return None
    legs = dict(Leg.choices)
    return {
        "parcels": [{"parcel": parcel, "leg": legs.get(parcel.leg, parcel.leg)} for parcel in parcels],
        "chosen": chosen_of(case),  # the service level chosen with the order, from the case's data: no query
    }
