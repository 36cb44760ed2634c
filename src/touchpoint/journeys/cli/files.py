"""The journeys a command line names: a path as given, or the bare name of a shipped journey; a
file that can't be loaded is its located errors, never a traceback."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from touchpoint.journeys.diagnostics import Diagnostic, JourneyLoadError, Location, Severity
from touchpoint.journeys.library import library_file, library_files
from touchpoint.journeys.loader import LoadedJourney, load_journey


def _is_bare_name(argument: str) -> bool:
    return not any(sep in argument for sep in ("/", os.sep)) and Path(argument).suffix not in (".yaml", ".yml")


def resolve(argument: str) -> Path:
    """A path as given, or the shipped journey a bare name (``mail-in-repair``) stands for."""
    path = Path(argument)
    if path.exists() or not _is_bare_name(argument):
        return path
    shipped = library_file(argument)
    return shipped if shipped is not None else path


def load(argument: str) -> LoadedJourney:
    path = resolve(argument)
    if not path.exists() and _is_bare_name(argument):
        names = ", ".join(p.stem for p in library_files())
        raise JourneyLoadError(
            [
                Diagnostic(
                    "L000",
                    "unreadable",
                    Severity.ERROR,
                    "no such file, and no shipped journey by that name",
                    f"check the path, or name a shipped journey: {names}",
                    Location(argument),
                )
            ]
        )
    return load_journey(path)


@dataclass(frozen=True)
class Loaded:
    argument: str
    loaded: LoadedJourney | None
    error: JourneyLoadError | None


def load_all(arguments: Sequence[str]) -> Iterator[Loaded]:
    for argument in arguments:
        try:
            yield Loaded(argument, load(argument), None)
        except JourneyLoadError as error:
            yield Loaded(argument, None, error)
