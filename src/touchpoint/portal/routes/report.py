from __future__ import annotations

from django.urls import URLPattern, path

from touchpoint.portal.views import report

urlpatterns: list[URLPattern] = [
    path("report/", report.report, name="report"),
]
