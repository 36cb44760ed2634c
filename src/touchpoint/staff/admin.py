from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from touchpoint.staff.models import StaffUser, Team


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin[Team]):
    list_display = ["slug", "name"]
    search_fields = ["slug", "name"]


@admin.register(StaffUser)
class StaffUserAdmin(UserAdmin[StaffUser]):
    list_display = ["username", "first_name", "last_name", "role", "is_active"]
    list_filter = ["role", "teams", "is_active"]
    fieldsets = [*(UserAdmin.fieldsets or []), ("Touchpoint", {"fields": ["role", "teams"]})]
