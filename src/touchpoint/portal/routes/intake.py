from __future__ import annotations

from django.urls import URLPattern, path

from touchpoint.portal.views import intake

urlpatterns: list[URLPattern] = [
    path("repair/", intake.intake, name="intake"),
    path("repair/check/", intake.intake_check, name="intake_check"),
]
