from __future__ import annotations

from django.urls import URLPattern, path

from touchpoint.console.views import scan

urlpatterns: list[URLPattern] = [
    path("console/scan/", scan.scan, name="scan"),
    path("console/scan/label/<str:reference>/", scan.scan_label, name="scan_label"),
]
