"""Mail and texts the demo would have sent, kept so a newcomer can read what customers receive."""

from __future__ import annotations

from django.db import models


class CapturedMail(models.Model):
    captured_at = models.DateTimeField()
    # "sms": a text (to a number, the body only; touchpoint.devmail.sms), else an email
    channel = models.CharField(max_length=10, default="email", db_default="email")
    from_email = models.CharField(max_length=300)
    to = models.CharField(max_length=1000, help_text="Recipients, comma-separated")
    subject = models.CharField(max_length=300, blank=True)
    message_id = models.CharField(max_length=300, blank=True)
    headers = models.JSONField(default=list, help_text="[name, value] pairs, in order")
    body_text = models.TextField(blank=True)
    body_html = models.TextField(blank=True)
    tone = models.CharField(max_length=10, blank=True)
    tone_reason = models.CharField(max_length=200, blank=True)
    case_reference = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["-captured_at", "-id"]

    def __str__(self) -> str:
        return f"{self.subject} → {self.to}"
