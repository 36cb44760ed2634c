from __future__ import annotations

from django.urls import URLPattern, path

from touchpoint.portal.views import tracking

urlpatterns: list[URLPattern] = [
    path("c/<str:token>/", tracking.case_page, name="case"),
]
