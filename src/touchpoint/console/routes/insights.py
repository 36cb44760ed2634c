from __future__ import annotations

from django.urls import URLPattern, path

from touchpoint.console.views import insights

urlpatterns: list[URLPattern] = [
    path("console/insights/", insights.insights_page, name="insights"),
    path("console/insights/<slug:key>.csv", insights.insights_csv, name="insights_csv"),
]
