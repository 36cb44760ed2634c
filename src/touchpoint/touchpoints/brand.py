"""What makes an email look like the shop: its logo and colour (the console's shop settings) and
the persona's face, each as an absolute address a mail app can load; and the notices' HTML in the
same layout as the touch points'.

Domain code builds the addresses here and never reverses a web URL name (as ``links.paths`` does);
a test holds :func:`logo_url` equal to ``reverse("console:shop_logo")``."""

from __future__ import annotations

from functools import lru_cache
from pathlib import PurePosixPath
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders

from touchpoint.shop.selectors import shop_settings
from touchpoint.touchpoints.persona import Persona
from touchpoint.touchpoints.rendering import notice_render

LOGO_PATH = "/console/shop/logo/{name}"  # console.routes.shop: "console/shop/logo/<str:name>"


def absolute(path: str) -> str:
    """``path`` as an address a mail app can load: as it is when absolute, else on the public URL."""
    if path.startswith(("https://", "http://")):
        return path
    return f"{settings.TOUCHPOINT_PUBLIC_URL}/{path.lstrip('/')}"


def logo_url(shop: Any) -> str:
    """The shop's logo (served to anyone: it is in every email), "" when it has none."""
    name = str(shop.logo.name or "") if shop.logo else ""
    return absolute(LOGO_PATH.format(name=PurePosixPath(name).name)) if name else ""


@lru_cache(maxsize=64)
def _static_raster(path: str) -> str:
    """A static SVG's PNG twin when one is shipped beside it (Gmail and Outlook show no SVG), else
    the path itself. Looked up once per path and process."""
    if path.endswith(".svg") and finders.find(path[:-4] + ".png"):
        return path[:-4] + ".png"
    return path


def avatar_url(persona: Persona) -> str:
    """The persona's face, "" when it has none (the layout then shows its initials on the brand
    colour). ``avatar`` is an address (``https://…``), a path on this site (``/…``), an image
    uploaded in the console (``persona/<name>``: served where the persona says, its ``avatar_url``),
    or a static file (``touchpoints/norm.svg``, sent as its PNG twin when there is one).

    A static file goes by its plain name, not the manifest's hashed one: an email is read for years,
    across deploys, and the plain name stays served; the worker also renders before (or without)
    ``collectstatic``."""
    avatar = persona.avatar.strip()
    if not avatar:
        return ""
    if avatar.startswith(("https://", "http://", "/")):
        return absolute(avatar)
    if persona.avatar_uploaded:
        return absolute(persona.avatar_url)
    return absolute(f"{settings.STATIC_URL.rstrip('/')}/{_static_raster(avatar)}")


def brand_context(shop: Any) -> dict[str, str]:
    """The shop's logo and colour for the layout."""
    return {"logo_url": logo_url(shop), "colour": shop.brand_colour or "#1f5fa8"}


def notice_html(*, subject: str, text: str, reference: str = "", tracking_url: str = "") -> str:
    """The HTML part of a notice (a link email, a staff reply in own words): its ``text`` in the
    shop's layout (logo, colour; one button to ``tracking_url`` when it opens one case page). The
    text signs itself, so the layout adds no persona sign-off and no second footer."""
    shop = shop_settings()
    return notice_render(
        subject=subject,
        text=text,
        shop={"name": shop.name, **brand_context(shop)},
        reference=reference,
        tracking_url=tracking_url,
    )
