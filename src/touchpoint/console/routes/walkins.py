"""The counter's intake: a new walk-in-warranty case."""

from __future__ import annotations

from django.urls import URLPattern, path

from touchpoint.console.views import walkins

urlpatterns: list[URLPattern] = [
    path("console/walk-ins/new/", walkins.walkin_new, name="walkin_new"),
]
