"""Loading the third-party corpora in ../shared/corpora (kept outside the repository)."""

from __future__ import annotations

import base64
import os
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

CORPORA = Path(__file__).resolve().parents[3] / "shared" / "corpora"


def corpora_or_skip() -> Path:
    """The corpora folder; skipped when missing locally, a failure in CI (where it must be present)."""
    if not CORPORA.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"The email corpora are missing at {CORPORA}, and CI must run them.")
        pytest.skip(f"The third-party email corpora are not at {CORPORA} (they live outside the repository).")
    return CORPORA


class _RubyLoader(yaml.SafeLoader):
    """Zammad's expected results are Ruby Psych YAML: tagged hashes and !binary scalars."""


def _ruby_any(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.MappingNode):
        return loader.construct_mapping(node, deep=True)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    value = loader.construct_scalar(node)  # type: ignore[arg-type]
    if suffix == "binary":
        return base64.b64decode(value)
    return value


_RubyLoader.add_multi_constructor("!", _ruby_any)


def load_zammad_yml(path: Path) -> dict[str, Any]:
    loaded = yaml.load(path.read_bytes(), Loader=_RubyLoader)
    assert isinstance(loaded, dict)
    return loaded


def loose(text: str) -> str:
    """Text with tags, entities and all whitespace removed, for loose body comparison."""
    import html

    text = re.sub(r"<[^>]*>", "", text)
    text = html.unescape(text)
    return re.sub(r"\s+", "", text)
