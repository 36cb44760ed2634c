"""A read-only preview per journey version: every touch point, both tones, email and SMS."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse

from touchpoint.cases.journeys import journey_of
from touchpoint.touchpoints.models import TouchpointPreview
from touchpoint.touchpoints.preview import journey_preview


@admin.register(TouchpointPreview)
class TouchpointPreviewAdmin(admin.ModelAdmin[TouchpointPreview]):
    list_display = ["name", "version", "registered_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: TouchpointPreview | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: TouchpointPreview | None = None) -> bool:
        return False

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        version = get_object_or_404(TouchpointPreview, pk=object_id)
        if not self.has_view_permission(request, version):
            return self.admin_site.login(request)
        journey = journey_of(version)
        persona, touchpoints = journey_preview(journey=journey)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Messages of {version}",
            "opts": self.opts,
            "original": version,
            "journey": journey,
            "persona": persona,
            "touchpoints": touchpoints,
        }
        return TemplateResponse(request, "admin/touchpoints/preview.html", context)
