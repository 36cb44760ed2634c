"""A real browser for end-to-end tests: Debian's Chromium driven by Playwright (``executable_path``,
never a downloaded browser), against pytest-django's live server.

``BrowserPage`` wraps a Playwright page with what every end-to-end test wants:

- ``shot(label)`` keeps a numbered screenshot under ``var/test-artifacts/screenshots/<test>/``;
- ``check_a11y()`` runs axe-core (shipped inside ``axe-playwright-python``) and fails on any
  serious or critical violation, naming the rule, the element and how to fix it;
- every Content-Security-Policy violation and every page error fails the test at teardown.

Chromium missing: the test is skipped with the reason, except under CI (``CI`` set), where it
fails, since ``make test-deps`` installs it there.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("TOUCHPOINT_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "var" / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}


def chromium_or_skip() -> str:
    if Path(CHROMIUM).exists() or shutil.which(CHROMIUM):
        return CHROMIUM
    reason = f"Debian's chromium is not installed at {CHROMIUM} (make test-deps installs it as root)"
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


@dataclass
class BrowserPage:
    page: Any  # playwright.sync_api.Page
    base_url: str
    folder: Path
    problems: list[str] = field(default_factory=list)
    shots: int = 0

    def goto(self, path: str) -> Any:
        return self.page.goto(self.base_url + path if path.startswith("/") else path)

    def shot(self, label: str) -> Path:
        self.shots += 1
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{self.shots:02d}-{re.sub(r'[^a-z0-9]+', '-', label.lower()).strip('-')}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def check_a11y(self) -> None:
        """axe-core on the page as it is now: no serious or critical violation."""
        from axe_playwright_python.sync_playwright import Axe

        results = Axe().run(self.page)
        bad = [v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]
        lines = []
        for violation in bad:
            targets = ", ".join(str(node.get("target")) for node in violation["nodes"][:3])
            lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']} at {targets}")
        assert not lines, f"axe-core on {self.page.url}:\n" + "\n".join(lines)


def _watch(page: Any, problems: list[str]) -> None:
    def on_console(message: Any) -> None:
        text = message.text
        if "Content Security Policy" in text or "Refused to" in text:
            problems.append(f"CSP: {text}")
        elif message.type == "error" and "favicon" not in text and "status of 4" not in text:
            problems.append(f"console error: {text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))


def _browser_page(request: Any, live_server: Any, options: dict[str, Any]) -> Iterator[BrowserPage]:
    """One Chromium per test. Playwright's sync API runs an event loop in this thread while it is
    started, and Django's ORM refuses to run beside one unless told it is safe (it is: the loop only
    drives the browser). Starting and stopping it inside the test keeps that allowance, and the
    loop, away from every other test and from subprocesses (``check --deploy`` refuses it)."""
    executable = chromium_or_skip()
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
            context = browser.new_context(**options)
            context.set_default_timeout(15_000)
            page = context.new_page()
            name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid.split("::", 1)[-1])
            wrapped = BrowserPage(page=page, base_url=live_server.url, folder=ARTIFACTS / name)
            if wrapped.folder.exists():
                shutil.rmtree(wrapped.folder)
            _watch(page, wrapped.problems)
            yield wrapped
            context.close()
            browser.close()
            # Connections the test opened while Playwright ran belong to that context; close them
            # here, or PostgreSQL refuses to drop the test database at the end ("being accessed").
            from django.db import connections

            connections.close_all()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous
    assert not wrapped.problems, "the browser reported:\n" + "\n".join(wrapped.problems)


@pytest.fixture
def phone(request: Any, live_server: Any) -> Iterator[BrowserPage]:
    """A phone-sized page (390×844, touch) on the live server."""
    yield from _browser_page(request, live_server, PHONE)


@pytest.fixture
def desktop(request: Any, live_server: Any) -> Iterator[BrowserPage]:
    """A desktop-sized page (1280×900) on the live server."""
    yield from _browser_page(request, live_server, DESKTOP)


@pytest.fixture
def phone_nojs(request: Any, live_server: Any) -> Iterator[BrowserPage]:
    """A phone with JavaScript switched off: the core path must still work."""
    yield from _browser_page(request, live_server, {**PHONE, "java_script_enabled": False})
