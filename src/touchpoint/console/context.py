"""What every page's layout needs to know."""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from touchpoint.shop.selectors import shop_settings
from touchpoint.staff.access import has_role
from touchpoint.staff.gate import owed_step
from touchpoint.staff.two_factor import is_verified


def site(request: HttpRequest) -> dict[str, object]:
    return {
        "dev_mailbox": settings.TOUCHPOINT_DEV_MAILBOX,
        # "talk to a person" on every page; the shop's own words, set in the console
        "contact_email": SimpleLazyObject(lambda: shop_settings().sender_email),
        "shop_name": SimpleLazyObject(lambda: shop_settings().name),
        "console_nav": SimpleLazyObject(lambda: _nav_for(request)),
        "two_factor_offer": SimpleLazyObject(lambda: _two_factor_offer(request)),
    }


def _two_factor_offer(request: HttpRequest) -> bool:
    """An agent signed in without two-factor is offered it on every page (but the one that sets it up).
    Whoever owes a code or must set it up never sees other pages (``staff.gate``)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or is_verified(user) or owed_step(request) is not None:
        return False
    match = getattr(request, "resolver_match", None)
    return match is None or match.view_name != settings.TOUCHPOINT_TWO_FACTOR_SETUP_URL


def _nav_for(request: HttpRequest) -> tuple[tuple[str, str], ...]:
    user = getattr(request, "user", None)
    # A session that owes a code (or owes setting two-factor up) is shown no links it can't follow.
    signed_in = bool(user is not None and user.is_authenticated) and owed_step(request) is None
    return nav_links(
        signed_in=signed_in,
        lead=signed_in and has_role(user, "lead"),
        admin_site=signed_in and bool(getattr(user, "is_staff", False)),
        dev_mailbox=bool(settings.TOUCHPOINT_DEV_MAILBOX),
    )


@cache
def nav_links(*, signed_in: bool, lead: bool, admin_site: bool, dev_mailbox: bool) -> tuple[tuple[str, str], ...]:
    """The console's navigation links for one kind of visitor, as (path, label), worked out once per
    process (every console page shows them; reversing eight URLs on each page cost more than the rest
    of its layout). ``console/_nav.html`` shows them."""
    links: list[tuple[str, str]] = []
    if signed_in:
        links += [("console:queue", "Queues"), ("console:scan", "Scan station"), ("console:people", "People")]
    if lead:
        links += [
            ("console:remedy_requests", "Remedy requests"),
            ("console:wall", "Wall"),
            ("console:themes", "Themes"),
            ("console:insights", "Insights"),
            ("console:shop", "The shop"),
        ]
    links.append(("console:journeys", "Journeys"))
    if admin_site:
        links.append(("admin:index", "Admin"))
    if signed_in:
        links.append(("console:two_factor", "Two-factor sign-in"))
    if dev_mailbox:
        links.append(("devmail:list", "Dev mail"))
    return tuple((reverse(name), label) for name, label in links)
