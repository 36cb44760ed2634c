"""Themes for leads (name them, note the fix), and the "N other customers reported this" panel."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from touchpoint.cases.models import Case
from touchpoint.staff.access import staff_required
from touchpoint.staff.models import StaffUser
from touchpoint.themes.models import Theme
from touchpoint.themes.selectors import case_themes, latest_run
from touchpoint.themes.services import theme_name, themes_rebuild


def theme_panel(request: HttpRequest, case: Case) -> dict[str, Any] | None:
    """On the case view: the themes this case's words fall in, with how many others said the same."""
    found = case_themes(case=case)
    return {"matches": found} if found else None


@require_GET
@staff_required("lead")
def themes_page(request: HttpRequest) -> HttpResponse:
    run = latest_run()
    themes = list(run.themes.all()) if run is not None else []
    return render(request, "console/themes/page.html", {"run": run, "themes": themes})


@require_POST
@staff_required("lead")
def rebuild(request: HttpRequest) -> HttpResponse:
    run = themes_rebuild()
    messages.success(request, f"Grouped {run.texts} texts into {run.themes.count()} themes.")
    return redirect("console:themes")


@require_POST
@staff_required("lead")
def name_theme(request: HttpRequest, theme_id: int) -> HttpResponse:
    theme = get_object_or_404(Theme, pk=theme_id)
    user = request.user
    assert isinstance(user, StaffUser)  # staff_required let only staff through
    try:
        theme_name(theme=theme, user=user, name=request.POST.get("name", ""), fix_note=request.POST.get("fix_note", ""))
    except (ValueError, PermissionError) as problem:
        messages.error(request, str(problem))
    else:
        messages.success(request, f"Named “{theme.name}”.")
    return redirect("console:themes")
