"""Templates and personas a shop edits in the admin and the console, read by rendering before the files.

Every message asks for them, and they change a few times a year, so this process keeps a copy, as it
keeps the shop's settings (:mod:`touchpoint.shop.selectors`) and the opening hours. It stays true three
ways: the process that saves an override forgets its copy at once and again when the change commits
(:func:`overrides_changed`: the models' save and delete signals call it, and so does the console's
persona save); while this process holds a change not yet committed it keeps nothing (an edit that rolls
back is never remembered); and another process's copy is checked against a *stamp* of the overrides
(for each table: how many rows and the latest ``updated_at``, two one-row aggregate queries) once it is
:data:`RECHECK_SECONDS` old, so an edit saved elsewhere is used within that, with no restart and no
shared memory. The template engine is keyed by the sources themselves, so the engine (with its compiled
templates) changes exactly when they do. (Files under ``TOUCHPOINT_TEMPLATE_DIRS`` are read once per
process: restart after editing them.)"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from django.db import transaction
from django.db.models import Count, Max
from django.db.models.signals import post_delete, post_save
from django.template import Engine

from touchpoint.touchpoints.models import PersonaOverride, TemplateOverride
from touchpoint.touchpoints.persona import Persona, persona_load, persona_parse
from touchpoint.touchpoints.rendering import template_dirs, touchpoint_engine

Stamp = tuple[int, datetime | None, int, datetime | None]
RECHECK_SECONDS = 5.0  # how stale another process's edit may be here (as shop.selectors.RECHECK_SECONDS)


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


@dataclass
class _Kept:
    overrides: Overrides | None = None
    stamp: Stamp | None = None
    checked: float = 0.0  # time.monotonic() of the last stamp that matched
    writing: bool = False  # this process saved an override that hasn't committed yet


_kept = _Kept()


def _stamp() -> Stamp:
    t = TemplateOverride.objects.aggregate(n=Count("id"), at=Max("updated_at"))
    p = PersonaOverride.objects.aggregate(n=Count("id"), at=Max("updated_at"))
    return (t["n"], t["at"], p["n"], p["at"])


def overrides_current() -> Overrides:
    """The overrides as saved: this process's copy, its stamp checked once it is
    :data:`RECHECK_SECONDS` old (two aggregate queries; the rows only when the stamp changed)."""
    kept, moment = _kept.overrides, time.monotonic()
    if kept is not None and moment - _kept.checked < RECHECK_SECONDS:
        return kept
    stamp = _stamp()
    if kept is not None and stamp == _kept.stamp:
        _kept.checked = moment
        return kept
    found = _load(stamp)
    if not _kept.writing:  # a row this process changed may yet be rolled back
        _kept.overrides, _kept.stamp, _kept.checked = found, stamp, moment
    return found


def overrides_forget() -> None:
    """Drop this process's copy: the next render reads the stamp (and keeps what it reads again)."""
    _kept.overrides, _kept.stamp, _kept.writing = None, None, False


def overrides_changed() -> None:
    """This process is saving an override: keep no copy until the change commits, then read it afresh.
    Call it inside the transaction that writes (the models' signals do; a queryset ``update()``
    sends none, so its caller calls this)."""
    _kept.overrides, _kept.stamp, _kept.writing = None, None, True
    transaction.on_commit(overrides_forget)


def _saved(sender: Any, **kwargs: Any) -> None:
    overrides_changed()


for _model in (TemplateOverride, PersonaOverride):
    post_save.connect(_saved, sender=_model, dispatch_uid=f"overrides_changed_save_{_model.__name__}")
    post_delete.connect(_saved, sender=_model, dispatch_uid=f"overrides_changed_delete_{_model.__name__}")


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
