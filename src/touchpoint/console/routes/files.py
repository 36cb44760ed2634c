"""Files customers sent, under the case they belong to (staff only)."""

from __future__ import annotations

from django.urls import URLPattern, path

from touchpoint.console.views import files

urlpatterns: list[URLPattern] = [
    path("console/cases/<str:reference>/files/<int:file_id>/", files.case_file, name="case_file"),
]
