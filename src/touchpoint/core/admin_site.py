"""Django's admin, refusing the malformed parameters its own views read without checking.

Django 6.1's change form takes an empty ``?_to_field=`` as a field named '' (FieldDoesNotExist) and a
popup's save splits ``_source_model`` on '.' without checking there is one (ValueError): a 500 each.
Refused here with a 400 saying what is wrong, before any admin view runs.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig
from django.http import HttpRequest, HttpResponseBadRequest
from django.http.response import HttpResponseBase

_View = TypeVar("_View", bound=Callable[..., HttpResponseBase])
_MODEL_LABEL = re.compile(r"\A[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*\Z")


def admin_parameters_problem(request: HttpRequest) -> str | None:
    """What is wrong with the admin's own parameters in ``request``, or None."""
    for params in (request.GET, request.POST):
        if "_to_field" in params and not params["_to_field"]:
            return "The _to_field parameter is empty: leave it out, or name the field to link by."
        if "_source_model" in params and not _MODEL_LABEL.match(params["_source_model"]):
            return "The _source_model parameter must be an app and a model, as in catalog.problem."
    return None


class TouchpointAdminSite(admin.AdminSite):
    def admin_view(self, view: _View, cacheable: bool = False) -> _View:
        inner = super().admin_view(view, cacheable)

        @wraps(view)
        def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if problem := admin_parameters_problem(request):
                return HttpResponseBadRequest(problem, content_type="text/plain; charset=utf-8")
            return inner(request, *args, **kwargs)

        return cast(_View, checked)


class AdminConfig(DjangoAdminConfig):
    default_site = "touchpoint.core.admin_site.TouchpointAdminSite"
