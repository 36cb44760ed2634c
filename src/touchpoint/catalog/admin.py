from django.contrib import admin

from touchpoint.catalog.models import DeviceModel, Problem


@admin.register(DeviceModel)
class DeviceModelAdmin(admin.ModelAdmin[DeviceModel]):
    list_display = ["name", "kind", "diagnosis_price", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Problem)
class ProblemAdmin(admin.ModelAdmin[Problem]):
    list_display = ["label", "typical_price", "position"]
    prepopulated_fields = {"slug": ["label"]}
