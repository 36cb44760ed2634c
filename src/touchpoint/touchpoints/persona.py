"""Personas: the voice of the messages, one YAML file each (``personas/<name>.yaml``): a shop's own
in ``personas/`` under one of its ``TOUCHPOINT_TEMPLATE_DIRS`` first, then the shipped ones. The
console's persona editor stores the shop's as YAML too (``PersonaOverride``), read before the files.

``avatar`` is either a static file (the shipped ``touchpoints/norm.svg``) or an image a lead
uploaded in the console, stored as ``persona/<24 hex>.<ext>`` under ``MEDIA_ROOT`` and served to
anyone (it is in emails): :attr:`Persona.avatar_url` says where either is."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

PERSONA_DIR = Path(__file__).parent / "personas"
# An avatar uploaded in the console: a random name per image, so an email already sent keeps its own.
AVATAR_UPLOAD = re.compile(r"persona/[0-9a-f]{24}\.(?:jpg|png|webp)", re.ASCII)


@dataclass(frozen=True)
class Persona:
    key: str
    name: str
    signature: str
    voice: str
    avatar: str  # a static file path, e.g. "touchpoints/norm.svg", or an upload: "persona/<hex>.png"

    @property
    def avatar_uploaded(self) -> bool:
        return bool(AVATAR_UPLOAD.fullmatch(self.avatar))

    @property
    def avatar_url(self) -> str:
        """Where the avatar is, from the site's root ("/static/touchpoints/norm.svg",
        "/console/shop/persona/avatar/<hex>.png"); empty when the persona has none. Emails put the
        public address (``TOUCHPOINT_PUBLIC_URL``) before it."""
        if not self.avatar:
            return ""
        # Imported here: this module is read by `journey check` before Django is set up.
        from django.templatetags.static import static
        from django.urls import reverse

        if self.avatar_uploaded:
            return reverse("console:persona_avatar", args=[self.avatar.rsplit("/", 1)[1]])
        return static(self.avatar)


@cache
def persona_load(*, key: str, dirs: tuple[str, ...] = ()) -> Persona:
    """The persona called ``key``, from the first of ``dirs`` (each holding ``personas/``) that has
    it, else the shipped one; an unknown key gets a plain persona named after it."""
    candidates = [Path(d) / "personas" / f"{key}.yaml" for d in dirs] + [PERSONA_DIR / f"{key}.yaml"]
    path = next((c for c in candidates if c.is_file()), candidates[-1])
    if not path.is_file():
        return Persona(key=key, name=key.title(), signature=f"{key.title()}, for the team", voice="", avatar="")
    return persona_parse(key=key, source=path.read_text(encoding="utf-8"))


def persona_parse(*, key: str, source: str) -> Persona:
    """A persona from its YAML text (lenient, as files always were: see :func:`persona_problems`)."""
    loaded = yaml.safe_load(source)
    data = loaded if isinstance(loaded, dict) else {}
    return Persona(
        key=key,
        name=str(data.get("name", key.title())),
        signature=str(data.get("signature", data.get("name", key.title()))),
        voice=str(data.get("voice", "")).strip(),
        avatar=str(data.get("avatar", "")),
    )


def persona_problems(source: str) -> list[str]:
    """What is wrong with a persona's YAML, each a sentence saying what to fix (empty when fine)."""
    try:
        data = yaml.safe_load(source)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        return [f"This isn't valid YAML{where}: {getattr(exc, 'problem', None) or exc}."]
    if not isinstance(data, dict):
        return ["A persona is a YAML mapping: `name: …`, `signature: …`, and optionally `voice:` and `avatar:`."]
    problems = []
    unknown = sorted(set(map(str, data)) - {"name", "signature", "voice", "avatar"})
    if unknown:
        problems.append(f"Unknown field {', '.join(unknown)}: a persona has name, signature, voice and avatar.")
    for field in ("name", "signature"):
        if not isinstance(data.get(field), str) or not data[field].strip():
            problems.append(f"`{field}` is missing: write it as text, e.g. `{field}: Norm`.")
    for field in ("voice", "avatar"):
        if field in data and not isinstance(data[field], str):
            problems.append(f"`{field}` must be text.")
    return problems
