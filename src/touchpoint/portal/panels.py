"""What each area adds to a case's tracking page.

The tracking page (``views/tracking.py``) calls every function in :data:`PANELS` with the case
and its token; each returns the context for its own partial (``portal/<area>/_panel.html``) or
``None`` when it has nothing to show in the case's current state. Areas stay in their own modules."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from typing import Any

from django.http import HttpRequest

from touchpoint.cases.models import Case

PanelFn = Callable[[HttpRequest, Case, str], dict[str, Any] | None]

# (area, "module:function"), in the order they appear on the page.
PANELS: list[tuple[str, str]] = [
    ("pay", "touchpoint.portal.views.pay:pay_panel"),
    ("approvals", "touchpoint.portal.views.approvals:approval_panel"),
    ("label", "touchpoint.portal.views.label:label_panel"),
    ("tracking", "touchpoint.portal.views.parcels:parcels_panel"),
    # After the label: "I've posted my device" reads best once the label is in hand.
    ("actions", "touchpoint.portal.views.actions:actions_panel"),
    ("feedback", "touchpoint.portal.views.feedback:feedback_panel"),
    ("messages", "touchpoint.portal.views.messages:messages_panel"),
    ("channel", "touchpoint.portal.views.channel:channel_panel"),
]


@dataclass(frozen=True)
class Panel:
    area: str
    template: str
    context: dict[str, Any]


def panels_for(request: HttpRequest, case: Case, token: str) -> list[Panel]:
    shown = []
    for area, target in PANELS:
        module, name = target.split(":")
        fn: PanelFn | None = getattr(import_module(module), name, None)
        context = fn(request, case, token) if fn is not None else None
        if context is not None:
            shown.append(Panel(area, f"portal/{area}/_panel.html", context))
    return shown
