"""What remedy services refuse. ``str(error)`` is for the person who asked; ``field`` names the form
field it is about (``amount``, ``reason``), or is empty when it is about the whole request."""

from __future__ import annotations


class RemedyRefused(Exception):
    """Nothing was written."""

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.field = field


class PolicyInvalid(Exception):
    """A policy with errors; ``problems`` are the formatted diagnostics (``line:col: code …``)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("the policy has errors:\n" + "\n".join(problems))
        self.problems = problems
