from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from touchpoint.feedback.models import Feedback


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin[Feedback]):
    list_display = ["case", "customer", "csat", "consent_publish", "display_name", "town", "created_at"]
    list_filter = ["csat", "consent_publish"]
    search_fields = ["case__reference", "customer__email", "comment"]
    raw_id_fields = ["case", "customer"]
    # What a customer said is theirs: staff read it here, they don't rewrite it.
    readonly_fields = ["case", "customer", "csat", "comment", "consent_publish", "display_name", "town", "created_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
