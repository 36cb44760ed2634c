"""A real proxy hop on loopback: `touchpoint run` (gunicorn) behind a reverse proxy that appends the
client's address to X-Forwarded-For, as nginx and Caddy do, with the proxy named in
TOUCHPOINT_TRUSTED_PROXIES. Clients reach the proxy from their own loopback addresses, so the app
sees every request come from the proxy and must tell them apart by the header alone.

Each client has its own order, link and message limits, and its own sign-in lockout; what a client
writes in X-Forwarded-For itself, through the proxy or straight to the app, changes nothing."""

from __future__ import annotations

import signal
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest

from tests.ops.browse import Answer
from tests.support.factories import StaffFactory
from tests.support.orders import NANO, register_library, shop_catalog
from tests.support.processes import django_env, python, touchpoint, wait_for
from tests.support.proxy import BoundBrowser
from tests.support.smtp import free_port
from touchpoint.cases.models import Case
from touchpoint.portal.views.intake import ORDER_LIMIT
from touchpoint.portal.views.links import CLIENT_LIMIT

pytestmark = pytest.mark.django_db(transaction=True)

PROXY = "127.0.0.2"  # the reverse proxy, the only peer the app trusts
ALICE, BOB, STRANGER, DIRECT = "127.0.0.3", "127.0.0.4", "127.0.0.5", "127.0.0.6"
MESSAGE_RATE = 3  # TOUCHPOINT_PORTAL_MESSAGE_RATE for this server: messages per client per window
ORDER = {
    "model": NANO,
    "problem": "not_sure",
    "name": "Ian Kearns",
    "address_line1": "1 Park Row",
    "town": "Leeds",
    "postcode": "LS1 5AB",
    "country": "GB",
    "shipping": "post",
    "channel": "email",
}


class Stack:
    def __init__(self, proxied: str, direct: str) -> None:
        self.proxied = proxied  # the shop's address, through the proxy
        self.direct = direct  # the app itself (firewalled off in production; reachable here on loopback)


def _stop(process: subprocess.Popen[str]) -> str:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        _, err = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        _, err = process.communicate()
    return err or ""


@pytest.fixture(scope="module")
def stack(django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with django_db_blocker.unblock():
        env = django_env(
            TOUCHPOINT_VAR_DIR=str(tmp_path_factory.mktemp("var")),
            TOUCHPOINT_TRUSTED_PROXIES=PROXY,
            TOUCHPOINT_ALLOWED_HOSTS=f"{PROXY},127.0.0.1",
            TOUCHPOINT_PORTAL_MESSAGE_RATE=str(MESSAGE_RATE),
            TOUCHPOINT_PAYMENT_PROVIDERS="offline",
        )
    port = free_port()
    app = touchpoint("run", "--no-worker", "--processes", "1", "--port", str(port), env=env)
    proxy = python("tests.support.proxy", "--listen", PROXY, "--upstream", f"127.0.0.1:{port}", env=env)
    try:
        line = proxy.stdout.readline() if proxy.stdout else ""
        assert line.startswith("listening on "), line + _stop(proxy)
        stack = Stack(f"http://{line.split()[-1]}", f"http://127.0.0.1:{port}")
        probe = BoundBrowser(source=ALICE)
        up = f"{stack.proxied}/healthz"
        wait_for(lambda: probe.get(up).status == 200, timeout=90, what="the app behind the proxy")
        yield stack
    finally:
        proxy_err, app_err = _stop(proxy), _stop(app)
        assert "Traceback" not in app_err, app_err
        assert "Traceback" not in proxy_err, proxy_err


def ask_for_link(browser: BoundBrowser, base: str, headers: dict[str, str] | None = None) -> int:
    page = browser.get(f"{base}/link/")
    assert page.status == 200, page.text[:500]
    form = next(f for f in page.page.forms if "email" in f.field_names())
    _, address, data = form.submission(fill={"email": "ian@example.com"})
    return browser.post_with(address, data, referer=page.url, headers=headers or {}).status


def place_order(browser: BoundBrowser, base: str, email: str) -> Answer:
    page = browser.get(f"{base}/repair/")
    assert page.status == 200, page.text[:500]
    form = next(f for f in page.page.forms if f.method == "post" and "nonce" in f.field_names())
    return browser.submit(page, form, {**ORDER, "email": email})


def send_message(browser: BoundBrowser, case_url: str, text: str) -> int:
    page = browser.get(case_url)
    assert page.status == 200, page.text[:500]
    form = next(f for f in page.page.forms if f.action.endswith("/messages/"))
    return browser.submit(page, form, {"text": text}).status


def test_each_client_behind_the_proxy_has_its_own_link_limit(stack: Stack) -> None:
    alice, bob = BoundBrowser(source=ALICE), BoundBrowser(source=BOB)
    # when Alice asks for a fresh link as often as one client may in an hour, then once more
    assert [ask_for_link(alice, stack.proxied) for _ in range(CLIENT_LIMIT.count)] == [200] * CLIENT_LIMIT.count
    assert ask_for_link(alice, stack.proxied) == 429
    # then Bob, behind the same proxy, still may
    assert ask_for_link(bob, stack.proxied) == 200
    # and Alice can't borrow Bob's bucket by writing his address in her own X-Forwarded-For
    assert ask_for_link(alice, stack.proxied, {"X-Forwarded-For": BOB}) == 429


def test_a_header_sent_straight_to_the_app_is_ignored(stack: Stack) -> None:
    # given a client that reaches the app without the proxy and uses up its limit there
    direct = BoundBrowser(source=DIRECT)
    assert [ask_for_link(direct, stack.direct) for _ in range(CLIENT_LIMIT.count)] == [200] * CLIENT_LIMIT.count
    assert ask_for_link(direct, stack.direct) == 429
    # when it claims to be someone else, even naming the proxy as the last hop
    for claim in (BOB, f"{BOB}, {PROXY}"):
        assert ask_for_link(direct, stack.direct, {"X-Forwarded-For": claim}) == 429
    # then nothing changed for that someone else
    assert ask_for_link(BoundBrowser(source=BOB), stack.proxied) == 200


def test_each_client_behind_the_proxy_has_its_own_order_and_message_limits(stack: Stack) -> None:
    register_library("mail-in-repair")
    shop_catalog()
    alice, bob = BoundBrowser(source=ALICE), BoundBrowser(source=BOB)
    # when Alice places as many orders as one client may in an hour, then one more
    placed = [place_order(alice, stack.proxied, f"alice{n}@example.com") for n in range(ORDER_LIMIT.count)]
    assert [answer.status for answer in placed] == [303] * ORDER_LIMIT.count
    refused = place_order(alice, stack.proxied, "alice-more@example.com")
    assert refused.status == 429 and "Everything you typed is still here" in refused.text
    # then Bob's order, through the same proxy, goes through
    bobs = place_order(bob, stack.proxied, "bob@example.com")
    assert bobs.status == 303
    assert Case.objects.count() == ORDER_LIMIT.count + 1

    # when Alice writes to us as often as one client may, then once more
    alices_case = placed[0].location
    assert [send_message(alice, alices_case, f"Note {n}") for n in range(MESSAGE_RATE)] == [302] * MESSAGE_RATE
    assert send_message(alice, alices_case, "One more") == 429
    # then Bob still can, about his own repair
    assert send_message(bob, bobs.location, "When will it be back?") == 302


def test_a_strangers_bad_passwords_through_the_proxy_lock_out_only_the_stranger(stack: Stack) -> None:
    StaffFactory(username="alex")
    stranger, alex = BoundBrowser(source=STRANGER), BoundBrowser(source=ALICE)

    def sign_in(browser: BoundBrowser, password: str) -> Answer:
        page = browser.get(f"{stack.proxied}/console/login/")
        form = next(f for f in page.page.forms if "password" in f.field_names())
        return browser.submit(page, form, {"username": "alex", "password": password})

    # when a stranger tries five bad passwords for alex's username through the proxy
    assert [sign_in(stranger, "guess").status for _ in range(5)] == [400, 400, 400, 400, 429]
    # then the stranger is locked out, even with the right password
    locked = sign_in(stranger, "correct horse battery")
    assert locked.status == 429 and "Too many attempts for this account from here" in locked.text
    # but alex, at another desk behind the same proxy, signs in
    signed_in = sign_in(alex, "correct horse battery")
    assert signed_in.status == 302, signed_in.text[:1000]
    assert "/console/login/" not in signed_in.location
