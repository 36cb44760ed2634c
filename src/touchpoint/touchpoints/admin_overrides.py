"""Admin forms for a shop's own templates and persona: each edit is checked before it is saved,
with the same checks as ``touchpoint journey check`` (T301 missing partial, T302 undefined
variable, T303 template error), so a broken message never reaches a customer."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.template import Engine, TemplateDoesNotExist, TemplateSyntaxError

from touchpoint.cases.models import JourneyVersion
from touchpoint.journeys import Severity, parse_journey
from touchpoint.touchpoints.checks import template_check
from touchpoint.touchpoints.models import PersonaOverride, TemplateOverride
from touchpoint.touchpoints.overrides import overrides_current
from touchpoint.touchpoints.persona import persona_problems
from touchpoint.touchpoints.rendering import (
    GENERIC,
    SHARED,
    template_dirs,
    template_find,
    template_name,
    template_names,
    touchpoint_engine,
)


def journey_choices() -> list[tuple[str, str]]:
    names = JourneyVersion.objects.order_by("name").values_list("name", flat=True).distinct()
    return [(SHARED, "shared: every journey without its own words"), *((name, name) for name in names)]


def file_source(*, journey: str, key: str) -> str:
    """The template a touch point uses from the files (the journey's, the shared one, or the generic),
    the shop's folders before the shipped ones."""
    engine = touchpoint_engine(dirs=template_dirs())
    for name in (*template_names(journey=journey, key=key), GENERIC):
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
        name = template_name(journey=journey, key=key)
        overrides = overrides_current().with_template(name, source)
        named = JourneyVersion.objects.all() if journey == SHARED else JourneyVersion.objects.filter(name=journey)
        versions = [v for v in named.order_by("name", "version") if _declares(v, str(key))]
        if not versions:
            self.add_error("key", f"{journey} has no touch point called “{key}”: use one listed under `touchpoints:`.")
            return data
        if journey == SHARED:
            # Shared words are checked with each journey that would send them (one without its own file).
            engine = overrides.engine()
            versions = [v for v in versions if _sends(engine, v.name, str(key), name)]
            if not versions:
                self.add_error(
                    "key", f"Every journey that sends “{key}” has its own words, so shared ones would never be sent."
                )
                return data
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


def _sends(engine: Engine, journey: str, key: str, name: str) -> bool:
    """Whether ``journey``'s touch point ``key`` is said by the template ``name`` (one that doesn't
    parse counts: the lookup reached it, and the check will say what is wrong)."""
    try:
        return template_find(engine=engine, journey=journey, key=key) == name
    except TemplateSyntaxError:
        return True


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
