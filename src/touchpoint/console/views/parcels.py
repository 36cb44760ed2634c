"""The parcels on the staff case view: every carrier event in the carrier's words and codes, with
the carrier's own tracking link."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from touchpoint.cases.models import Case
from touchpoint.shipping.models import Leg
from touchpoint.shipping.selectors import parcels_of


def parcels_panel(request: HttpRequest, case: Case) -> dict[str, Any] | None:
    """Shown once a parcel of the case can be followed: a tracking number, or a carrier's scan."""
    parcels = parcels_of(case=case)
    if not parcels:
        return None
    legs = dict(Leg.choices)
    return {"parcels": [{"parcel": parcel, "leg": legs.get(parcel.leg, parcel.leg)} for parcel in parcels]}
