"""Findings and load errors, each with a stable code, a severity, a location and a fix."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Location:
    file: str
    line: int = 0  # 1-based; 0 when the whole file is meant
    column: int = 0  # 1-based

    def __str__(self) -> str:
        if self.line <= 0:
            return self.file
        return f"{self.file}:{self.line}:{self.column or 1}"


@dataclass(frozen=True)
class Diagnostic:
    """One thing wrong with a journey file: what is wrong and how to fix it."""

    code: str  # stable, e.g. "J203"
    slug: str  # stable, e.g. "trap-state"
    severity: Severity
    message: str  # what is wrong
    fix: str  # how to fix it
    location: Location
    path: tuple[str, ...] = field(default=())  # a route through the journey, when the finding is about one

    def format(self) -> str:
        return f"{self.location}: {self.severity} {self.code} {self.slug}: {self.message} — {self.fix}"

    def as_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "slug": self.slug,
            "severity": str(self.severity),
            "message": self.message,
            "fix": self.fix,
            "file": self.location.file,
            "line": self.location.line,
            "column": self.location.column,
            "path": list(self.path),
        }


class JourneyLoadError(Exception):
    """A journey file that can't be read or parsed. ``diagnostics`` say where and why."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = diagnostics
        super().__init__("\n".join(d.format() for d in diagnostics))
