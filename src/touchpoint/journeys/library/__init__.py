"""The reference journeys shipped with Touchpoint: ``mail-in-repair``, ``walk-in-warranty`` and
``order-problem``. They are the examples people copy, so each is commented and clean under
``touchpoint journey check``. Framework-free: paths only, no Django."""

from __future__ import annotations

from pathlib import Path

_HERE = Path(__file__).resolve().parent


def library_dir() -> Path:
    """The folder holding the shipped journey files."""
    return _HERE


def library_files() -> list[Path]:
    """Every shipped journey file, sorted by name."""
    return sorted(p for p in _HERE.glob("*.yaml") if p.is_file())


def library_file(name: str) -> Path | None:
    """The shipped file for a bare journey name (``mail-in-repair``), if any."""
    wanted = name.removesuffix(".yaml")
    for path in library_files():
        if path.stem == wanted:
            return path
    return None
