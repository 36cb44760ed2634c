"""Templates and personas a shop edits in the admin, read by rendering before the files.

Every render asks the database for a *stamp* of the overrides (for each table: how many rows and
the latest ``updated_at``: two one-row aggregate queries). The sources are read again only when the
stamp changes, and the template engine is keyed by the sources themselves, so an edit saved in the
admin is used by the next message any process renders, with no restart and no shared memory.
(Files under ``TOUCHPOINT_TEMPLATE_DIRS`` are still read once per process: restart after editing them.)"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from django.db.models import Count, Max
from django.template import Engine

from touchpoint.touchpoints.models import PersonaOverride, TemplateOverride
from touchpoint.touchpoints.persona import Persona, persona_load, persona_parse
from touchpoint.touchpoints.rendering import template_dirs, touchpoint_engine

Stamp = tuple[int, datetime | None, int, datetime | None]


@dataclass(frozen=True)
class Overrides:
    templates: tuple[tuple[str, str], ...] = ()  # (template name, source), sorted by name
    personas: tuple[tuple[str, str], ...] = ()  # (persona key, YAML), sorted by key

    def engine(self, *, strict: bool = False) -> Engine:
        return touchpoint_engine(dirs=template_dirs(), strict=strict, overrides=self.templates)

    def persona(self, key: str) -> Persona:
        source = dict(self.personas).get(key)
        if source is None:
            return persona_load(key=key, dirs=template_dirs())
        return _persona(key, source)

    def with_template(self, name: str, source: str) -> Overrides:
        """These overrides with ``name`` set to ``source`` (to check an edit before it is saved)."""
        return Overrides(tuple(sorted({**dict(self.templates), name: source}.items())), self.personas)


def overrides_current() -> Overrides:
    """The overrides now in the database (two aggregate queries; the rows only when they changed)."""
    t = TemplateOverride.objects.aggregate(n=Count("id"), at=Max("updated_at"))
    p = PersonaOverride.objects.aggregate(n=Count("id"), at=Max("updated_at"))
    return _load((t["n"], t["at"], p["n"], p["at"]))


def persona_current(key: str) -> Persona:
    """The persona ``key`` as the shop saved it in the console, else its file: one query by the
    unique key (the customer's page reads this, not every override)."""
    source = PersonaOverride.objects.filter(key=key).values_list("source", flat=True).first()
    return persona_load(key=key, dirs=template_dirs()) if source is None else _persona(key, source)


@lru_cache(maxsize=4)
def _load(stamp: Stamp) -> Overrides:
    if stamp[0] == 0 and stamp[2] == 0:
        return Overrides()
    templates = tuple(
        sorted(
            (f"touchpoints/{journey}/{key}.html", source)
            for journey, key, source in TemplateOverride.objects.values_list("journey", "key", "source")
        )
    )
    personas = tuple(sorted(PersonaOverride.objects.values_list("key", "source")))
    return Overrides(templates, personas)


@lru_cache(maxsize=16)
def _persona(key: str, source: str) -> Persona:
    return persona_parse(key=key, source=source)
