from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from touchpoint.cases.models import Case
from touchpoint.links.models import CaseLink
from touchpoint.links.services import links_revoke
from touchpoint.outbox.link_mail import link_replace
from touchpoint.outbox.models import OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin[OutboxMessage]):
    list_display = ["created_at", "case", "channel", "recipient", "subject", "status", "attempts", "tone"]
    list_filter = ["status", "channel", "tone"]
    search_fields = ["recipient", "subject", "case__reference"]
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # written only by the moves that send: every field is read-only, so an "Add" could only fail


# The case links' admin lives here, not in links/: its "email a fresh one" action is an outbox notice,
# and the outbox sits above the links every message carries (decision 11).
@admin.register(CaseLink)
class CaseLinkAdmin(admin.ModelAdmin[CaseLink]):
    list_display = ["case", "created_at", "expires_at", "revoked_at", "revoked_reason", "last_used_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    list_select_related = ["case"]
    readonly_fields = ["case", "nonce", "token_hash", "created_at", "last_used_at"]
    search_fields = ["case__reference", "case__customer__email"]
    actions = ["revoke", "revoke_and_send_new"]

    @admin.action(description="Revoke these links")
    def revoke(self, request: HttpRequest, queryset: QuerySet[CaseLink]) -> None:
        chosen = list(queryset.values_list("pk", flat=True))
        count = links_revoke(link_ids=chosen, reason=f"revoked by {request.user.get_username()}")
        self.message_user(request, f"{count} link{'s' if count != 1 else ''} revoked.", messages.SUCCESS)

    @admin.action(description="Revoke every link to these cases and email the customer a fresh one")
    def revoke_and_send_new(self, request: HttpRequest, queryset: QuerySet[CaseLink]) -> None:
        cases = Case.objects.select_related("customer", "journey").filter(
            pk__in=queryset.values_list("case_id", flat=True)
        )
        for case in cases:
            link_replace(case=case, reason=f"replaced by {request.user.get_username()}")
        self.message_user(
            request, f"Old links switched off and a fresh one emailed for {len(cases)} case(s).", messages.SUCCESS
        )
