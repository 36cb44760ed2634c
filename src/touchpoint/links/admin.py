from django.contrib import admin

from touchpoint.links.models import CaseLink


@admin.register(CaseLink)
class CaseLinkAdmin(admin.ModelAdmin[CaseLink]):
    list_display = ["case", "created_at", "expires_at", "revoked_at", "last_used_at"]
    list_select_related = ["case"]
    readonly_fields = ["case", "nonce", "token_hash", "created_at", "last_used_at"]
    search_fields = ["case__reference"]
