from django.contrib import admin

from touchpoint.customers.models import Customer


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin[Customer]):
    list_display = ["name", "email", "town", "tier", "preferred_channel", "plain_messages", "email_failing"]
    list_filter = ["tier", "preferred_channel", "plain_messages", "email_failing", "country"]
    search_fields = ["name", "email", "phone", "postcode"]
    readonly_fields = ["created_at"]
