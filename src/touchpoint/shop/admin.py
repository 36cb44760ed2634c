from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from touchpoint.shop.models import SettingChange


@admin.register(SettingChange)
class SettingChangeAdmin(admin.ModelAdmin[SettingChange]):
    """The audit, read-only: changes are made on the console's shop pages, never here."""

    list_display = ["at", "by_name", "area", "subject", "field", "before", "after"]
    list_filter = ["area"]
    search_fields = ["subject", "field", "by_name"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
