"""A person's browser, as far as a test needs one against a running server: cookies kept (the
session, the CSRF cookie), redirects not followed (so a test sees each 303), pages as text."""

from __future__ import annotations

import http.cookiejar
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any

from tests.support.pages import Form, Page


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    text: str
    url: str

    @property
    def page(self) -> Page:
        return Page.parse(self.text, url=self.url)

    @property
    def location(self) -> str:
        return urllib.parse.urljoin(self.url, self.headers.get("Location", ""))


@dataclass
class Browser:
    jar: http.cookiejar.CookieJar = field(default_factory=http.cookiejar.CookieJar)

    def __post_init__(self) -> None:
        self._opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}), urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect()
        )

    def _open(self, request: urllib.request.Request) -> Answer:
        try:
            with self._opener.open(request, timeout=30) as response:
                return Answer(response.status, dict(response.headers), response.read().decode(), request.full_url)
        except urllib.error.HTTPError as answer:
            return Answer(answer.code, dict(answer.headers), answer.read().decode(), request.full_url)

    def get(self, url: str) -> Answer:
        return self._open(urllib.request.Request(url))

    def post(self, url: str, data: dict[str, Any], *, referer: str) -> Answer:
        body = urllib.parse.urlencode(data, doseq=True).encode()
        # A browser sends the page it came from; Django's CSRF check wants it to match the host.
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Referer": referer}
        return self._open(urllib.request.Request(url, data=body, headers=headers, method="POST"))

    def submit(self, page: Answer, form: Form, fill: dict[str, Any] | None = None, button: Any = None) -> Answer:
        method, address, data = form.submission(button=button, fill=fill)
        assert method == "post", f"{form.node.describe()} is sent by {method}"
        return self.post(address, data, referer=page.url)

    def press(self, page: Answer, control_id: str, fill: dict[str, Any] | None = None) -> Answer:
        """Press the button ``#control_id`` on ``page`` (typing ``fill`` into its form first)."""
        parsed = page.page
        node = parsed.by_id(control_id)
        assert node is not None, f"no #{control_id} on {page.url}"
        form = parsed.form_of(node)
        assert form is not None, f"#{control_id} on {page.url} is in no form"
        return self.submit(page, form, fill, button=node if node.tag == "button" else None)
