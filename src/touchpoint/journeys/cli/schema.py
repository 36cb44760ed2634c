"""The JSON Schema of journey files, as shipped in ``schema/journey.schema.json`` (for editor
completion): the model's own, with its draft and id."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from touchpoint.journeys.model import Journey

SCHEMA_DRAFT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_ID = "urn:touchpoint:schema:journey"


def journey_schema() -> dict[str, Any]:
    """The JSON Schema of journey files, as shipped in ``schema/journey.schema.json``: the model's
    own, nothing patched (the model says which fields take one value or a list), with its draft and id."""
    return {"$schema": SCHEMA_DRAFT, "$id": SCHEMA_ID, **Journey.model_json_schema()}


def schema_text() -> str:
    return json.dumps(journey_schema(), indent=2, ensure_ascii=False) + "\n"


def shipped_schema_path() -> Path:
    return Path(__file__).resolve().parent.parent / "schema" / "journey.schema.json"
