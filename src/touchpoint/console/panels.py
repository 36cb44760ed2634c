"""What each area adds to the staff case view, beside the timeline and the actions.

The case view (``views/case.py``) calls every function in :data:`PANELS` with the request and
the case; each returns the context for its own partial (``console/<area>/_panel.html``) or
``None`` when it has nothing to show for this case, state or role. Areas stay in their own modules."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from typing import Any

from django.http import HttpRequest

from touchpoint.cases.models import Case

PanelFn = Callable[[HttpRequest, Case], dict[str, Any] | None]

# (area, "module:function"), in the order they appear on the page.
PANELS: list[tuple[str, str]] = [
    ("quotes", "touchpoint.console.views.quotes:quote_panel"),
    ("payments", "touchpoint.console.views.payments:payment_panel"),
    ("remedies", "touchpoint.console.views.remedies:remedy_panel"),
    ("themes", "touchpoint.console.views.themes:theme_panel"),
]


@dataclass(frozen=True)
class Panel:
    area: str
    template: str
    context: dict[str, Any]


def panels_for(request: HttpRequest, case: Case) -> list[Panel]:
    shown = []
    for area, target in PANELS:
        module, name = target.split(":")
        fn: PanelFn | None = getattr(import_module(module), name, None)
        context = fn(request, case) if fn is not None else None
        if context is not None:
            shown.append(Panel(area, f"console/{area}/_panel.html", context))
    return shown
