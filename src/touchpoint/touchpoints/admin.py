"""The admin for messages: a read-only preview per journey version (every touch point, both tones,
email and SMS), and the shop's own templates and persona, checked before they are saved."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from django.contrib import admin
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse

from touchpoint.cases.journeys import journey_of
from touchpoint.core.clock import now
from touchpoint.journeys.model import NAME_PATTERN
from touchpoint.staff.models import StaffUser
from touchpoint.touchpoints.admin_overrides import (
    PersonaOverrideForm,
    TemplateOverrideForm,
    file_source,
    journey_choices,
)
from touchpoint.touchpoints.models import PersonaOverride, TemplateOverride, TouchpointPreview
from touchpoint.touchpoints.persona import PERSONA_DIR
from touchpoint.touchpoints.preview import PreviewedTouchpoint, journey_preview
from touchpoint.touchpoints.rendering import SHARED, template_name

KEY_MAX = 80  # a touch point's or persona's key, as the models keep it


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
        version = self.get_object(request, object_id)  # None for an id that isn't one (Django's own check)
        if version is None:
            raise Http404(f"no journey version {object_id}")
        if not self.has_view_permission(request, version):
            return self.admin_site.login(request)
        journey = journey_of(version)
        persona, touchpoints = journey_preview(journey=journey)
        overridden = TemplateOverride.objects.filter(journey__in=[journey.name, SHARED])
        edited = {(j, k): pk for j, k, pk in overridden.values_list("journey", "key", "pk")}
        context = {
            **self.admin_site.each_context(request),
            "title": f"Messages of {version}",
            "opts": self.opts,
            "original": version,
            "journey": journey,
            "persona": persona,
            "touchpoints": [_row(tp, journey.name, edited) for tp in touchpoints],
            "persona_url": _persona_url(journey.persona),
        }
        return TemplateResponse(request, "admin/touchpoints/preview.html", context)


def _row(tp: PreviewedTouchpoint, journey: str, edited: dict[tuple[str, str], int]) -> dict[str, Any]:
    """One touch point of the preview: where its words come from and the links that edit them. A
    shared message is edited for every journey that uses it, or written for this journey only."""
    shared = tp.template == template_name(journey=SHARED, key=tp.key)
    whose = SHARED if shared else journey
    return {
        "tp": tp,
        "shared": shared,
        "edited": (whose, tp.key) in edited,
        "edit_url": _edit_url(whose, tp.key, edited),
        "own_url": _edit_url(journey, tp.key, edited) if shared else "",
    }


def _edit_url(journey: str, key: str, edited: dict[tuple[str, str], int]) -> str:
    """The shop's own template of ``key`` to change, or a new one started from the file."""
    if (journey, key) in edited:
        return reverse("admin:touchpoints_templateoverride_change", args=[edited[journey, key]])
    return f"{reverse('admin:touchpoints_templateoverride_add')}?{urlencode({'journey': journey, 'key': key})}"


def _persona_url(key: str) -> str:
    found = PersonaOverride.objects.filter(key=key).values_list("pk", flat=True).first()
    if found is not None:
        return reverse("admin:touchpoints_personaoverride_change", args=[found])
    return f"{reverse('admin:touchpoints_personaoverride_add')}?{urlencode({'key': key})}"


def _stamp(request: HttpRequest, obj: TemplateOverride | PersonaOverride) -> None:
    obj.updated_at = now()
    obj.updated_by = request.user if isinstance(request.user, StaffUser) else None


@admin.register(TemplateOverride)
class TemplateOverrideAdmin(admin.ModelAdmin[TemplateOverride]):
    """A touch point's template in the shop's words. Open "Add" from a link such as
    ``?journey=mail-in-repair&key=arrived_resting`` to start from the current file."""

    form = TemplateOverrideForm
    list_display = ["journey", "key", "updated_at", "updated_by"]
    list_filter = ["journey"]
    search_fields = ["key", "source"]
    readonly_fields = ["updated_at", "updated_by"]

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        initial = dict(super().get_changeform_initial_data(request))
        journey, key = request.GET.get("journey", ""), request.GET.get("key", "")
        # Only a touch point of a journey we hold: the names become a file's path.
        if journey in dict(journey_choices()) and re.fullmatch(NAME_PATTERN, key) and len(key) <= KEY_MAX:
            initial["source"] = file_source(journey=journey, key=key)
        return initial

    def save_model(self, request: HttpRequest, obj: TemplateOverride, form: Any, change: bool) -> None:
        _stamp(request, obj)
        super().save_model(request, obj, form, change)


@admin.register(PersonaOverride)
class PersonaOverrideAdmin(admin.ModelAdmin[PersonaOverride]):
    """The persona's YAML in the shop's words (name, signature, voice, avatar)."""

    form = PersonaOverrideForm
    list_display = ["key", "updated_at", "updated_by"]
    readonly_fields = ["updated_at", "updated_by"]

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        initial = dict(super().get_changeform_initial_data(request))
        key = request.GET.get("key", "norm")
        # A persona's key is a plain name: it becomes a file's path, never one outside the personas.
        shipped = PERSONA_DIR / f"{key}.yaml"
        if re.fullmatch(NAME_PATTERN, key) and len(key) <= KEY_MAX and shipped.is_file():
            initial.setdefault("key", key)
            initial["source"] = shipped.read_text(encoding="utf-8")
        return initial

    def save_model(self, request: HttpRequest, obj: PersonaOverride, form: Any, change: bool) -> None:
        _stamp(request, obj)
        super().save_model(request, obj, form, change)
