"""Touch points keep no tables of their own; the admin preview hangs off journey versions."""

from __future__ import annotations

from touchpoint.cases.models import JourneyVersion


class TouchpointPreview(JourneyVersion):
    """A journey version seen as its messages: each touch point rendered with sample data."""

    class Meta:
        proxy = True
        verbose_name = "touch point preview"
        verbose_name_plural = "touch point previews"
