"""Admin forms for a shop's own templates and persona: each edit is checked before it is saved,
with the same checks as ``touchpoint journey check`` (T301 missing partial, T302 undefined
variable, T303 template error), so a broken message never reaches a customer."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.template import TemplateDoesNotExist

from touchpoint.cases.models import JourneyVersion
from touchpoint.journeys import Severity, parse_journey
from touchpoint.touchpoints.checks import template_check
from touchpoint.touchpoints.models import PersonaOverride, TemplateOverride
from touchpoint.touchpoints.overrides import overrides_current
from touchpoint.touchpoints.persona import persona_problems
from touchpoint.touchpoints.rendering import GENERIC, template_dirs, template_name, touchpoint_engine


def journey_choices() -> list[tuple[str, str]]:
    names = JourneyVersion.objects.order_by("name").values_list("name", flat=True).distinct()
    return [(name, name) for name in names]


def file_source(*, journey: str, key: str) -> str:
    """The template a touch point uses from the files (the shop's, the shipped one, or the generic)."""
    engine = touchpoint_engine(dirs=template_dirs())
    for name in (template_name(journey=journey, key=key), GENERIC):
        try:
            return str(engine.get_template(name).source)
        except TemplateDoesNotExist:
            continue
    return ""


class TemplateOverrideForm(forms.ModelForm[TemplateOverride]):
    journey = forms.ChoiceField(choices=journey_choices)
    source = forms.CharField(widget=forms.Textarea(attrs={"rows": 30, "cols": 110, "spellcheck": "false"}))

    class Meta:
        model = TemplateOverride
        fields = ["journey", "key", "source"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        journey, key, source = data.get("journey"), data.get("key"), data.get("source")
        if not journey or not key or source is None:
            return data
        versions = [
            v for v in JourneyVersion.objects.filter(name=journey).order_by("version") if _declares(v, str(key))
        ]
        if not versions:
            self.add_error("key", f"{journey} has no touch point called “{key}”: use one listed under `touchpoints:`.")
            return data
        overrides = overrides_current().with_template(template_name(journey=journey, key=key), source)
        problems: list[str] = []
        for version in versions:
            loaded = parse_journey(version.source, str(version))
            persona = overrides.persona(loaded.journey.persona)
            for finding in template_check(loaded, overrides=overrides.templates, persona=persona):
                if finding.severity == Severity.ERROR and f"`{key}`" in finding.message:
                    line = f"{finding.code} {finding.slug}: {finding.message} — {finding.fix}"
                    if line not in problems:
                        problems.append(line)
        if problems:
            self.add_error("source", ValidationError(problems))
        return data


def _declares(version: JourneyVersion, key: str) -> bool:
    from touchpoint.cases.journeys import journey_of

    return key in journey_of(version).touchpoints


class PersonaOverrideForm(forms.ModelForm[PersonaOverride]):
    source = forms.CharField(widget=forms.Textarea(attrs={"rows": 16, "cols": 110, "spellcheck": "false"}))

    class Meta:
        model = PersonaOverride
        fields = ["key", "source"]

    def clean_source(self) -> str:
        source = str(self.cleaned_data["source"])
        problems = persona_problems(source)
        if problems:
            raise ValidationError(problems)
        return source
