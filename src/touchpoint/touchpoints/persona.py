"""Personas: the voice of the messages, one YAML file each (``personas/<name>.yaml``): a shop's own
in ``personas/`` under one of its ``TOUCHPOINT_TEMPLATE_DIRS`` first, then the shipped ones."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

PERSONA_DIR = Path(__file__).parent / "personas"


@dataclass(frozen=True)
class Persona:
    key: str
    name: str
    signature: str
    voice: str
    avatar: str  # a static file path, e.g. "touchpoints/norm.svg"


@cache
def persona_load(*, key: str, dirs: tuple[str, ...] = ()) -> Persona:
    """The persona called ``key``, from the first of ``dirs`` (each holding ``personas/``) that has
    it, else the shipped one; an unknown key gets a plain persona named after it."""
    candidates = [Path(d) / "personas" / f"{key}.yaml" for d in dirs] + [PERSONA_DIR / f"{key}.yaml"]
    path = next((c for c in candidates if c.is_file()), candidates[-1])
    if not path.is_file():
        return Persona(key=key, name=key.title(), signature=f"{key.title()}, for the team", voice="", avatar="")
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return Persona(
        key=key,
        name=str(data.get("name", key.title())),
        signature=str(data.get("signature", data.get("name", key.title()))),
        voice=str(data.get("voice", "")).strip(),
        avatar=str(data.get("avatar", "")),
    )
