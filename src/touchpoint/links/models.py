"""A customer's link to one case. Only a hash of the token is stored; the token itself is derived
from a per-link nonce and the secret key, so a copy of the database alone opens nothing."""

from __future__ import annotations

from django.db import models


class CaseLink(models.Model):
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="links")
    nonce = models.CharField(max_length=32, unique=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=200, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    # True for a link sent to the customer's address (in our messages): holding it shows one reads
    # that mail. False for the one handed to whoever filled in the order or report form, which proves
    # nothing about the address: its page leaves out the emails between us and the address.
    emailed = models.BooleanField(default=True, help_text="Sent to the customer's email address")

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["case", "created_at"], name="caselink_case_created")]

    def __str__(self) -> str:
        return f"link to {self.case_id} from {self.created_at:%Y-%m-%d}"


class LinkRequest(models.Model):
    """Someone asked on the page for a fresh link to ``email``'s cases. The page only writes this row,
    the same for any address (so its answer and its work tell no one who our customers are); the
    worker reads it, emails the customer if there is one (:func:`touchpoint.outbox.link_mail.link_request_send`)
    and deletes it."""

    email = models.EmailField(max_length=254)
    asked_at = models.DateTimeField()
    lease_owner = models.CharField(max_length=100, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["asked_at"]
        indexes = [models.Index(fields=["asked_at"], name="linkrequest_asked")]

    def __str__(self) -> str:
        return f"link request from {self.asked_at:%Y-%m-%d %H:%M}"
