"""Who may open a staff page: a signed-in, active staff member with at least the page's role.

Anonymous visitors are sent to sign in; a signed-in person without the role gets a plain 403 page
that says which role the page needs. A customer's link never reaches these views: it carries no
session."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, Literal

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from touchpoint.journeys.engine import ROLE_RANK
from touchpoint.staff.models import StaffUser

MinRole = Literal["agent", "lead", "admin"]
View = Callable[..., HttpResponse]


def has_role(user: Any, role: MinRole) -> bool:
    if not isinstance(user, StaffUser) or not user.is_active:
        return False
    return user.is_superuser or ROLE_RANK.get(user.role, 0) >= ROLE_RANK[role]


def staff_required(role: MinRole = "agent") -> Callable[[View], View]:
    def decorate(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not has_role(request.user, role):
                return render(request, "console/forbidden.html", {"role": role}, status=403)
            return view(request, *args, **kwargs)

        return wrapped

    return decorate
