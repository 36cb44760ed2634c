"""Personas: the voice of the messages, one YAML file each (``personas/<name>.yaml``)."""

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
def persona_load(*, key: str) -> Persona:
    """The persona called ``key``; an unknown key gets a plain persona named after it."""
    path = PERSONA_DIR / f"{key}.yaml"
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
