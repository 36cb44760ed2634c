from django.contrib import admin

from touchpoint.customers.models import Customer


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin[Customer]):
    list_display = ["name", "email", "tier", "preferred_channel", "email_failing"]
    list_filter = ["tier", "preferred_channel", "email_failing"]
    search_fields = ["name", "email", "phone"]
