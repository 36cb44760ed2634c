from __future__ import annotations

from django.urls import URLPattern, path

from touchpoint.console.views import journeys

urlpatterns: list[URLPattern] = [
    path("console/journeys/", journeys.journeys, name="journeys"),
    path("console/journeys/<slug:name>/<int:version>/", journeys.journey_map, name="journey_map"),
]
