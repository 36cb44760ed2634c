"""Where a link's page is, for the messages that carry it. Domain code builds the address here and
never reverses a web URL name; a test holds :func:`case_page_path` equal to ``reverse("portal:case")``."""

from __future__ import annotations

from django.conf import settings

CASE_PAGE = "/c/{token}/"  # the customer's case page (portal.routes.tracking: "c/<str:token>/")


def case_page_path(token: str) -> str:
    """``/c/<token>/``: the path of the case page a link token opens (tokens are URL-safe)."""
    return CASE_PAGE.format(token=token)


def case_page_url(token: str) -> str:
    """The absolute address of that page (``TOUCHPOINT_PUBLIC_URL`` + path), for emails."""
    return f"{settings.TOUCHPOINT_PUBLIC_URL}{case_page_path(token)}"
