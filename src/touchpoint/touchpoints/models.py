"""A shop's own words, edited in the admin: touch point templates and personas stored in the
database, used before the files. The admin preview hangs off journey versions (a proxy)."""

from __future__ import annotations

from django.db import models

from touchpoint.cases.models import JourneyVersion


class TouchpointPreview(JourneyVersion):
    """A journey version seen as its messages: each touch point rendered with sample data."""

    class Meta:
        proxy = True
        verbose_name = "touch point preview"
        verbose_name_plural = "touch point previews"


class TemplateOverride(models.Model):
    """The shop's template for one touch point of a journey, used instead of
    ``touchpoints/<journey>/<key>.html`` from the files. Checked (T301–T303) before it is saved."""

    journey = models.CharField(max_length=80, help_text="The journey's name, e.g. mail-in-repair")
    key = models.CharField(max_length=80, help_text="The touch point, as listed under `touchpoints:` in the journey")
    source = models.TextField(
        help_text="The whole template: eight partials, {% partialdef playful_subject %}…{% endpartialdef %} "
        "and so on for playful/sober × subject/text/html/sms"
    )
    updated_at = models.DateTimeField()
    updated_by = models.ForeignKey(
        "staff.StaffUser", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["journey", "key"]
        constraints = [models.UniqueConstraint(fields=["journey", "key"], name="template_override_unique")]
        verbose_name = "message template"

    def __str__(self) -> str:
        return f"{self.journey}: {self.key}"

    @property
    def template_name(self) -> str:
        return f"touchpoints/{self.journey}/{self.key}.html"


class PersonaOverride(models.Model):
    """The shop's persona (the voice of the messages) as YAML, used instead of ``personas/<key>.yaml``."""

    key = models.SlugField(max_length=40, unique=True, help_text="As journeys name it in `persona:`, e.g. norm")
    source = models.TextField(help_text="YAML with name, signature, and optionally voice and avatar")
    updated_at = models.DateTimeField()
    updated_by = models.ForeignKey(
        "staff.StaffUser", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["key"]
        verbose_name = "persona"

    def __str__(self) -> str:
        return self.key
