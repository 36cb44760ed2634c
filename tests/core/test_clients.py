"""The client's address (core.clients.client_address), seen where a person can see it: the address a
failed staff sign-in is recorded from (django-axes' access attempts, listed in the admin). Behind the
proxies named in TOUCHPOINT_TRUSTED_PROXIES it is the client's, read from X-Forwarded-For from the
right; from anyone else the header is ignored."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.test import Client, override_settings

from tests.support.factories import StaffFactory
from tests.support.processes import ROOT, django_env

pytestmark = pytest.mark.django_db

# As long as gunicorn lets a header be (8,190 bytes): only the hops up to the client are read.
LONG = ", ".join(f"198.51.100.{n % 250}" for n in range(500))
CASES = [
    # (trusted proxies, socket peer, X-Forwarded-For as it arrives, the address recorded)
    pytest.param([], "198.51.100.1", "203.0.113.5", "198.51.100.1", id="no-proxy-trusted-the-header-is-ignored"),
    pytest.param(["10.0.0.2"], "10.0.0.2", "203.0.113.5", "203.0.113.5", id="behind-our-proxy"),
    pytest.param(["10.0.0.2"], "198.51.100.1", "203.0.113.5", "198.51.100.1", id="header-from-a-stranger-ignored"),
    pytest.param(
        ["10.0.0.2"], "198.51.100.1", "6.6.6.6, 10.0.0.2", "198.51.100.1", id="stranger-naming-our-proxy-ignored"
    ),
    pytest.param(["10.0.0.2"], "10.0.0.2", "6.6.6.6, 203.0.113.5", "203.0.113.5", id="what-the-client-wrote-ignored"),
    pytest.param(["10.0.0.0/24"], "10.0.0.9", "6.6.6.6, 203.0.113.5, 10.0.0.7", "203.0.113.5", id="two-proxies"),
    pytest.param(["10.0.0.2"], "10.0.0.2", "203.0.113.5:41234", "203.0.113.5", id="a-port-is-dropped"),
    pytest.param(["10.0.0.2"], "10.0.0.2", "nonsense, 203.0.113.5", "203.0.113.5", id="junk-the-client-wrote"),
    pytest.param(["10.0.0.2"], "10.0.0.2", "", "10.0.0.2", id="no-header-the-proxy-itself"),
    pytest.param(["10.0.0.2"], "10.0.0.2", "nonsense", "10.0.0.2", id="no-usable-address-the-proxy"),
    pytest.param(["10.0.0.2"], "10.0.0.2", f"{LONG}, 203.0.113.5", "203.0.113.5", id="a-long-header-the-client-wrote"),
    pytest.param(["::1"], "::1", "2001:db8::7", "2001:db8::7", id="ipv6"),
    pytest.param(["10.0.0.2"], "::ffff:10.0.0.2", "203.0.113.5", "203.0.113.5", id="ipv4-mapped-peer"),
]


@pytest.mark.parametrize(("trusted", "peer", "forwarded", "expected"), CASES)
def test_a_failed_sign_in_is_recorded_from_the_clients_address(
    trusted: list[str], peer: str, forwarded: str, expected: str
) -> None:
    StaffFactory(username="alex")
    meta = {"REMOTE_ADDR": peer, **({"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {})}
    with override_settings(TOUCHPOINT_TRUSTED_PROXIES=trusted):
        response = Client(**meta).post("/console/login/", {"username": "alex", "password": "not it"})
    assert response.status_code == 400
    attempts = apps.get_model("axes", "AccessAttempt")._default_manager
    assert list(attempts.values_list("username", "ip_address")) == [("alex", expected)]


FORWARDED_CASES = [
    # (socket peer, Forwarded as it arrives (RFC 7239), X-Forwarded-For beside it, the address recorded)
    pytest.param("10.0.0.2", "for=203.0.113.5;proto=https", "", "203.0.113.5", id="behind-our-proxy"),
    pytest.param("10.0.0.2", 'for="[2001:db8:cafe::17]:4711"', "", "2001:db8:cafe::17", id="ipv6-quoted-port"),
    pytest.param("10.0.0.2", "for=203.0.113.5:41234", "", "203.0.113.5", id="ipv4-port"),
    pytest.param("10.0.0.2", "for=6.6.6.6, for=203.0.113.5", "", "203.0.113.5", id="what-the-client-wrote-ignored"),
    pytest.param("10.0.0.2", "For=203.0.113.5, FOR=10.0.0.7", "", "203.0.113.5", id="two-proxies-any-case"),
    pytest.param("10.0.0.2", "for=6.6.6.6, for=unknown", "", "10.0.0.2", id="unknown-trusts-nothing-left-of-it"),
    pytest.param("10.0.0.2", "for=6.6.6.6, for=_hidden", "", "10.0.0.2", id="obfuscated-trusts-nothing"),
    pytest.param("10.0.0.2", "proto=https", "", "10.0.0.2", id="no-for-the-proxy"),
    pytest.param("10.0.0.2", "", "6.6.6.6", "10.0.0.2", id="x-forwarded-for-the-client-wrote-ignored"),
    pytest.param("198.51.100.1", "for=203.0.113.5", "", "198.51.100.1", id="header-from-a-stranger-ignored"),
]


@pytest.mark.parametrize(("peer", "forwarded", "x_forwarded_for", "expected"), FORWARDED_CASES)
def test_behind_proxies_that_write_forwarded_the_client_is_read_from_it(
    peer: str, forwarded: str, x_forwarded_for: str, expected: str
) -> None:
    StaffFactory(username="alex")
    meta = {"REMOTE_ADDR": peer}
    meta.update({"HTTP_FORWARDED": forwarded} if forwarded else {})
    meta.update({"HTTP_X_FORWARDED_FOR": x_forwarded_for} if x_forwarded_for else {})
    with override_settings(TOUCHPOINT_TRUSTED_PROXIES=["10.0.0.0/24"], TOUCHPOINT_PROXY_HEADER="forwarded"):
        response = Client(**meta).post("/console/login/", {"username": "alex", "password": "not it"})
    assert response.status_code == 400
    attempts = apps.get_model("axes", "AccessAttempt")._default_manager
    assert list(attempts.values_list("username", "ip_address")) == [("alex", expected)]


def test_a_proxy_header_touchpoint_does_not_read_stops_the_start_saying_what_to_write(tmp_path: Path) -> None:
    env = django_env(TOUCHPOINT_PROXY_HEADER="X-Real-IP", TOUCHPOINT_VAR_DIR=str(tmp_path))
    result = subprocess.run(
        [sys.executable, "-m", "touchpoint.cli", "check"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "TOUCHPOINT_PROXY_HEADER: 'x-real-ip' is not a header Touchpoint reads" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_trusted_proxy_that_is_not_an_address_stops_the_start_saying_what_to_write(tmp_path: Path) -> None:
    env = django_env(TOUCHPOINT_TRUSTED_PROXIES="10.0.0.5, proxy.internal", TOUCHPOINT_VAR_DIR=str(tmp_path))
    result = subprocess.run(
        [sys.executable, "-m", "touchpoint.cli", "check"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert (
        "TOUCHPOINT_TRUSTED_PROXIES: 'proxy.internal' is not an IP address or network — list the addresses of the"
        " proxies in front of Touchpoint, separated by commas, e.g. 10.0.0.5,192.168.10.0/24"
    ) in result.stderr
    assert "Traceback" not in result.stderr
