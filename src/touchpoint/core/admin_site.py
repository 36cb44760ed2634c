"""Django's admin, refusing what its own views and fields read without checking (a 500 each in 6.1).

- The change form takes an empty ``?_to_field=`` as a field named '' (FieldDoesNotExist), and a popup's
  save splits ``_source_model`` on '.' without checking there is one (ValueError): both are a 400
  saying what is wrong, before any admin view runs.
- A multiple choice (a group's permissions) posts ids straight into an ``__in`` lookup, which SQLite
  can't take past 64 bits (OverflowError); an autocomplete drawing a refused form again looks up what
  was posted (ValueError for '²'). Every admin's choice fields first keep only ids the field can read
  and the database can hold (:func:`readable_ids`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import wraps
from typing import Any, TypeVar, cast

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig
from django.contrib.admin.options import BaseModelAdmin
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import ValidationError
from django.db import connections, models
from django.forms import ModelMultipleChoiceField
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


def readable_ids(field: models.Field[Any, Any], values: Any, using: str) -> list[Any]:
    """The ``values`` that ``field`` reads as one of its values and the database ``using`` can hold."""
    low: int | None
    high: int | None
    try:
        low, high = connections[using].ops.integer_field_range(field.get_internal_type())
    except KeyError:
        low = high = None  # not an integer field
    kept = []
    for value in values:
        try:
            read = field.to_python(value)
        except ValidationError:
            continue
        if isinstance(read, int) and ((low is not None and read < low) or (high is not None and read > high)):
            continue
        kept.append(value)
    return kept


class CheckedMultipleChoiceField(ModelMultipleChoiceField):  # type: ignore[type-arg]
    def clean(self, value: Any) -> Any:
        queryset = self.queryset
        if queryset is not None and isinstance(value, list | tuple):
            meta = queryset.model._meta
            field = meta.get_field(self.to_field_name) if self.to_field_name else meta.pk
            if field is not None and len(readable_ids(field, value, queryset.db)) != len(value):
                raise ValidationError(self.error_messages["invalid_pk_value"] % {"pk": "that"}, code="invalid_pk_value")
        return super().clean(value)


class CheckedAutocompleteSelect(AutocompleteSelect):
    def optgroups(self, name: str, value: Sequence[str], attr: Any = None) -> Any:
        remote = self.field.remote_field
        target = remote.model._meta.get_field(getattr(remote, "field_name", None) or remote.model._meta.pk.name)
        return super().optgroups(name, readable_ids(target, value, self.db or "default"), attr)


class CheckedChoices(BaseModelAdmin[Any]):
    """Every admin's choice fields read what was posted before the database sees it."""

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = CheckedAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        kwargs.setdefault("form_class", CheckedMultipleChoiceField)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class TouchpointAdminSite(admin.AdminSite):
    def admin_view(self, view: _View, cacheable: bool = False) -> _View:
        inner = super().admin_view(view, cacheable)

        @wraps(view)
        def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if problem := admin_parameters_problem(request):
                return HttpResponseBadRequest(problem, content_type="text/plain; charset=utf-8")
            return inner(request, *args, **kwargs)

        return cast(_View, checked)

    def register(self, model_or_iterable: Any, admin_class: Any = None, **options: Any) -> None:
        """Each admin registered (ours, auth's, axes', django-otp's) and its inlines get :class:`CheckedChoices`."""
        admin_class = _checked(admin_class or admin.ModelAdmin)
        admin_class.inlines = [_checked(inline) for inline in admin_class.inlines]
        super().register(model_or_iterable, admin_class, **options)


def _checked(admin_class: Any) -> Any:
    if issubclass(admin_class, CheckedChoices):
        return admin_class
    return type(admin_class.__name__, (CheckedChoices, admin_class), {"__module__": admin_class.__module__})


class AdminConfig(DjangoAdminConfig):
    default_site = "touchpoint.core.admin_site.TouchpointAdminSite"
