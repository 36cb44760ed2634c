from __future__ import annotations

from django.urls import URLPattern, path

from touchpoint.console.views import first_run

urlpatterns: list[URLPattern] = [
    path("setup/", first_run.welcome, name="first_run"),
    path("setup/guide/", first_run.guide, name="first_run_guide"),
]
