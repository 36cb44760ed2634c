"""What every page's layout needs to know."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, object]:
    return {"dev_mailbox": settings.TOUCHPOINT_DEV_MAILBOX}
