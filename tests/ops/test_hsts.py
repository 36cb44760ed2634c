"""HSTS with TLS on: a year, subdomains included, and no ``preload`` unless the shop opts in with
TOUCHPOINT_HSTS_PRELOAD=1 (preload asks browsers to hard-code HTTPS for the domain and every
subdomain, and takes months to undo). The deploy check with preload on or off:
tests/security/test_deploy.py and tests/ops/test_operations.py."""

from __future__ import annotations

import secrets
import signal
import urllib.request
from pathlib import Path

import pytest

from tests.support.processes import django_env, touchpoint, wait_for
from tests.support.smtp import free_port

pytestmark = pytest.mark.django_db(transaction=True)

PRODUCTION = {"DJANGO_SETTINGS_MODULE": "touchpoint.settings", "TOUCHPOINT_HTTPS": "1"}


def hsts_of(url: str) -> str | None:
    """The Strict-Transport-Security header of ``url`` fetched as the TLS proxy passes it on."""
    request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https"})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return str(response.headers.get("Strict-Transport-Security", ""))
    except OSError:
        return None


@pytest.mark.parametrize(
    ("opt_in", "expected"),
    [
        pytest.param({}, "max-age=31536000; includeSubDomains", id="default"),
        pytest.param({"TOUCHPOINT_HSTS_PRELOAD": "1"}, "max-age=31536000; includeSubDomains; preload", id="opted-in"),
    ],
)
def test_preload_is_sent_only_when_the_shop_opts_in(tmp_path: Path, opt_in: dict[str, str], expected: str) -> None:
    port = free_port()
    env = django_env(
        **PRODUCTION,
        **opt_in,
        TOUCHPOINT_ALLOWED_HOSTS="127.0.0.1",
        TOUCHPOINT_SECRET_KEY=secrets.token_urlsafe(50),
        TOUCHPOINT_VAR_DIR=str(tmp_path),
    )
    server = touchpoint("run", "--no-worker", "--processes", "1", "--port", str(port), env=env)
    try:
        seen: list[str | None] = []

        def answered() -> bool:
            seen.append(hsts_of(f"http://127.0.0.1:{port}/"))
            return seen[-1] is not None

        wait_for(answered, timeout=90, what="the app to answer")
        assert seen[-1] == expected
    finally:
        server.send_signal(signal.SIGTERM)
        server.communicate(timeout=60)
