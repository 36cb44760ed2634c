"""What every page's layout needs to know."""

from __future__ import annotations

from email.utils import parseaddr

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, object]:
    return {
        "dev_mailbox": settings.TOUCHPOINT_DEV_MAILBOX,
        "contact_email": parseaddr(settings.DEFAULT_FROM_EMAIL)[1],  # "talk to a person" on every page
        "shop_name": settings.TOUCHPOINT_SHOP_NAME,
    }
