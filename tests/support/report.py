"""Figures a test wants printed at the end of the run (e.g. a corpus's share matched), even
though pytest captures what tests print: the root conftest shows them in the terminal summary."""

from __future__ import annotations

LINES: list[str] = []


def report(line: str) -> None:
    LINES.append(line)
