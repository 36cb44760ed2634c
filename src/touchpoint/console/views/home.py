from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from touchpoint.console.reads.first_run import setup_steps
from touchpoint.staff.access import has_role
from touchpoint.staff.first_run import owner_exists


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    if not owner_exists():  # a new install: the owner's account first, not an empty site
        return HttpResponseRedirect(reverse("console:first_run"))
    setup_left = 0
    if has_role(request.user, "lead"):
        setup_left = sum(1 for step in setup_steps() if step.essential and not step.done)
    return render(request, "console/home.html", {"setup_left": setup_left})
