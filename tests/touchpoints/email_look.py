"""Reading an email's HTML as a mail app would: its images, links, language and button (for the
layout's tests, test_email_layout*.py and test_email_browser*.py)."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from django.test import Client
from PIL import Image

from tests.shop.given import SHOP, shop_form


@dataclass
class Link:
    href: str
    classes: str
    style: str
    text: str = ""


@dataclass
class Look:
    lang: str = ""
    images: list[dict[str, str]] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    stylesheets: int = 0  # <link rel=stylesheet>: none may be fetched

    @property
    def buttons(self) -> list[Link]:
        return [link for link in self.links if "tp-button" in link.classes.split()]


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.look = Look()
        self._open: Link | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if tag == "html":
            self.look.lang = found.get("lang", "")
        elif tag == "img":
            self.look.images.append(found)
        elif tag == "a":
            self._open = Link(found.get("href", ""), found.get("class", ""), found.get("style", ""))
            self.look.links.append(self._open)
        elif tag == "link" and "stylesheet" in found.get("rel", ""):
            self.look.stylesheets += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self._open = None

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._open.text += data


def look(html: str) -> Look:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    for link in reader.look.links:
        link.text = " ".join(link.text.split())
    return reader.look


def style_value(style: str, name: str) -> str:
    """One declaration's value from an inline ``style`` attribute ("" when absent)."""
    found = re.search(rf"(?:^|;)\s*{re.escape(name)}\s*:\s*([^;]+)", style)
    return found.group(1).strip() if found else ""


def png(width: int = 300, height: int = 90) -> io.BytesIO:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (11, 110, 79)).save(out, "PNG")
    out.seek(0)
    out.name = "logo.png"
    return out


def shop_branded(client: Client, *, colour: str) -> None:
    """A lead gives the shop a logo and a brand colour on the console's shop page."""
    response = client.post(SHOP, {**shop_form(client, brand_colour=colour), "logo": png()})
    assert response.status_code == 302, response.content.decode()[:1000]
