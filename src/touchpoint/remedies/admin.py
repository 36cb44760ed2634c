"""The shop edits its policy here. Saving runs the checker: any error is shown in the form with its
line and column, and nothing is stored. A stored version is never edited (remedies name the version
that allowed them); a change is a new version, which starts from the one in force."""

from __future__ import annotations

import hashlib
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.http import HttpRequest

from touchpoint.core.clock import now
from touchpoint.journeys.diagnostics import Diagnostic, Severity
from touchpoint.remedies.models import PolicyVersion, Remedy, RemedyRequest
from touchpoint.remedies.policy import parse_policy
from touchpoint.remedies.services.policies import DEFAULT_POLICY, policy_diagnostics, policy_errors
from touchpoint.staff.models import StaffUser


def _say(diagnostic: Diagnostic) -> str:
    where = diagnostic.location
    place = f"line {where.line}, column {where.column or 1}: " if where.line else ""
    return f"{place}{diagnostic.code} {diagnostic.slug}: {diagnostic.message} — {diagnostic.fix}"


class PolicyVersionForm(forms.ModelForm[PolicyVersion]):
    class Meta:
        model = PolicyVersion
        fields = ["source", "note", "active"]
        widgets = {"source": forms.Textarea(attrs={"rows": 40, "cols": 100, "spellcheck": "false"})}

    def clean_source(self) -> str:
        source = str(self.cleaned_data.get("source") or "")
        if not self.instance._state.adding:
            return self.instance.source  # a stored version is never rewritten
        errors = policy_errors(source=source)
        if errors:
            raise forms.ValidationError([_say(d) for d in errors])
        return source

    def validate_constraints(self) -> None:
        """Its one constraint (a single version in force) is kept by ``save_model``, which switches
        the others off in the same transaction, so it isn't checked against the old state here."""

    def clean_active(self) -> bool:
        active = bool(self.cleaned_data.get("active"))
        if not self.instance._state.adding and self.instance.active and not active:
            raise forms.ValidationError("one version is always in force: put another one in force instead")
        return active


@admin.register(PolicyVersion)
class PolicyVersionAdmin(admin.ModelAdmin[PolicyVersion]):
    form = PolicyVersionForm
    list_display = ["__str__", "name", "active", "note", "created_at", "created_by"]
    list_filter = ["active"]

    def get_readonly_fields(self, request: HttpRequest, obj: PolicyVersion | None = None) -> list[str]:
        return ["source", "name", "sha256", "created_at", "created_by"] if obj is not None else []

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        current = PolicyVersion.objects.filter(active=True).first()
        return {"source": current.source if current else DEFAULT_POLICY.read_text(), "active": True}

    def has_delete_permission(self, request: HttpRequest, obj: PolicyVersion | None = None) -> bool:
        return False  # remedies point at the version that allowed them

    def save_model(self, request: HttpRequest, obj: PolicyVersion, form: Any, change: bool) -> None:
        with transaction.atomic():
            if obj.active:
                PolicyVersion.objects.filter(active=True).exclude(pk=obj.pk).update(active=False)
            if not change:
                obj.name = parse_policy(obj.source).policy.name
                obj.sha256 = hashlib.sha256(obj.source.encode()).hexdigest()
                obj.created_at = now()
                obj.created_by = request.user if isinstance(request.user, StaffUser) else None
            obj.save()
        for warning in (d for d in policy_diagnostics(source=obj.source) if d.severity == Severity.WARNING):
            messages.warning(request, _say(warning))


class _ReadOnly(admin.ModelAdmin[Any]):
    """A record: looked at, never changed by hand."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Remedy)
class RemedyAdmin(_ReadOnly):
    list_display = ["case", "kind", "amount", "applied_by", "approved_by", "rule", "applied_at"]
    list_filter = ["kind"]
    search_fields = ["case__reference", "reason"]
    list_select_related = ["case", "applied_by", "approved_by"]


@admin.register(RemedyRequest)
class RemedyRequestAdmin(_ReadOnly):
    list_display = ["case", "kind", "amount", "asked_by", "status", "due_at", "decided_by"]
    list_filter = ["status", "kind"]
    search_fields = ["case__reference", "reason"]
    list_select_related = ["case", "asked_by", "decided_by"]
