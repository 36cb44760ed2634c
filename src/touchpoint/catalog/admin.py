from django.contrib import admin

from touchpoint.catalog.models import DeviceModel, Problem
from touchpoint.core.forms import MONEY_ADMIN_FIELDS


@admin.register(DeviceModel)
class DeviceModelAdmin(admin.ModelAdmin[DeviceModel]):
    formfield_overrides = MONEY_ADMIN_FIELDS
    list_display = ["name", "slug", "kind", "diagnosis_price", "active"]
    list_editable = ["diagnosis_price", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["name", "slug"]
    ordering = ["kind", "name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Problem)
class ProblemAdmin(admin.ModelAdmin[Problem]):
    formfield_overrides = MONEY_ADMIN_FIELDS
    list_display = ["label", "slug", "typical_price", "position", "active"]
    list_editable = ["typical_price", "position", "active"]
    list_filter = ["active"]
    search_fields = ["label", "slug"]
    ordering = ["position", "label"]
    prepopulated_fields = {"slug": ["label"]}
