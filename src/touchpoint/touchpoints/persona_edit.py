"""The shop's persona as the console edits it: read with the stamp its form carries, and saved as
YAML (``PersonaOverride``, the one format a persona has; the shipped file stays the default), each
changed field audited (``shop.SettingChange``).

The avatar a lead uploads is stored under ``MEDIA_ROOT/persona/`` with a random name and named in
the YAML (:data:`touchpoint.touchpoints.persona.AVATAR_UPLOAD`); an old one stays stored, so an
email already sent keeps the face it was sent with."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import yaml
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction

from touchpoint.core.clock import now
from touchpoint.shop.models import Area, SettingChange
from touchpoint.touchpoints.models import PersonaOverride
from touchpoint.touchpoints.overrides import overrides_changed, overrides_current
from touchpoint.touchpoints.persona import Persona, persona_parse

if TYPE_CHECKING:
    from touchpoint.staff.models import StaffUser

SHIPPED = "shipped"  # the stamp of a persona nobody has saved in the console or the admin yet
FIELDS = ("name", "signature", "voice", "avatar")


class PersonaConflict(Exception):
    """Someone saved this persona after the form was drawn: nothing was written."""


@dataclass(frozen=True)
class Avatar:
    data: bytes  # already checked and re-encoded (inbox.photos.photo_clean)
    extension: str


def _stamp(source: str) -> str:
    return hashlib.sha256(source.encode()).hexdigest()[:32]


def persona_for_edit(*, key: str) -> tuple[Persona, str]:
    """The persona journeys call ``key`` as messages use it now, and the stamp a form saving it carries."""
    source = PersonaOverride.objects.filter(key=key).values_list("source", flat=True).first()
    persona = overrides_current().persona(key) if source is None else persona_parse(key=key, source=source)
    return persona, SHIPPED if source is None else _stamp(source)


def persona_keys(*, journeys: list[str]) -> list[str]:
    """The personas to offer: the ones the shop's ``journeys`` speak in (their ``persona:``), then any
    the shop has saved."""
    keys = dict.fromkeys(journeys)
    keys.update(dict.fromkeys(PersonaOverride.objects.order_by("key").values_list("key", flat=True)))
    return list(keys)


class _Block(str):
    """Voice notes written as a YAML block (``voice: |``), as the shipped file has them."""


def _block(dumper: yaml.SafeDumper, data: _Block) -> Any:
    return dumper.represent_scalar("tag:yaml.org,2002:str", str(data), style="|" if "\n" in data else None)


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(_Block, _block)


def persona_yaml(persona: Persona) -> str:
    """The persona as the YAML a shop's file would hold (what ``persona_parse`` reads back)."""
    data: dict[str, str] = {"name": persona.name, "signature": persona.signature}
    if persona.avatar:
        data["avatar"] = persona.avatar
    if persona.voice:
        data["voice"] = _Block(persona.voice.strip() + "\n")
    header = "# The shop's persona, saved in the console (The shop › Persona).\n"
    return header + yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


def persona_save(
    *,
    by: StaffUser,
    key: str,
    name: str,
    signature: str,
    voice: str,
    stamp: str,
    avatar: Avatar | None = None,
    avatar_remove: bool = False,
) -> list[SettingChange]:
    """Save the persona ``key`` (values cleaned by the caller's form) and, when given, its new avatar
    (or none, ``avatar_remove``); one audit row per field that changed, recorded under the shop's
    settings as ``persona <field>`` with the persona's key as the subject. ``stamp`` is the one the
    form was drawn with (:func:`persona_for_edit`): when the persona changed since, raises
    PersonaConflict and writes nothing. Opens its own transaction; the caller holds nothing."""
    saved: list[str] = []
    try:
        with transaction.atomic():
            row = PersonaOverride.objects.select_for_update().filter(key=key).first()
            before, now_stamp = (
                persona_for_edit(key=key)
                if row is None
                else (persona_parse(key=key, source=row.source), _stamp(row.source))
            )
            if now_stamp != stamp:
                raise PersonaConflict
            picture = before.avatar
            if avatar is not None:
                # A random name: a new face is a new address, so no mail app's cache shows the old one.
                picture = default_storage.save(
                    f"persona/{secrets.token_hex(12)}.{avatar.extension}", ContentFile(avatar.data)
                )
                saved.append(picture)
            elif avatar_remove:
                picture = ""
            after = Persona(key=key, name=name, signature=signature, voice=voice.strip(), avatar=picture)
            changed = [
                (f, getattr(before, f), getattr(after, f)) for f in FIELDS if getattr(before, f) != getattr(after, f)
            ]
            if not changed:
                return []
            at = now()
            source = persona_yaml(after)
            if row is None:
                PersonaOverride.objects.create(key=key, source=source, updated_at=at, updated_by=by)
            else:
                PersonaOverride.objects.filter(pk=row.pk).update(source=source, updated_at=at, updated_by=by)
                overrides_changed()  # update() sends no signal: the rendering's kept copy must go
            return SettingChange.objects.bulk_create(
                SettingChange(
                    at=at,
                    by=by,
                    by_name=by.get_username(),
                    area=Area.PERSONA,
                    subject=f"persona:{key}",
                    field=f"persona {field}",
                    before=str(old),
                    after=str(new),
                )
                for field, old, new in changed
            )
    except IntegrityError:  # another lead saved this persona for the first time a moment ago
        for name_ in saved:
            default_storage.delete(name_)
        raise PersonaConflict from None
    except BaseException:
        for name_ in saved:  # the YAML never named it
            default_storage.delete(name_)
        raise
