"""`touchpoint run`: the web app and one worker together, stopped cleanly by SIGTERM."""

from __future__ import annotations

import json
import re
import signal
import urllib.request
from pathlib import Path

import pytest

from tests.ops.browse import Answer, Browser
from tests.support.orders import NANO, register_library, shop_catalog
from tests.support.processes import django_env, touchpoint, wait_for
from tests.support.smtp import free_port
from touchpoint.cases.models import Case
from touchpoint.demopay.models import DemoEvent
from touchpoint.ops.models import WorkerHeartbeat
from touchpoint.payments.models import Payment, PaymentStatus

pytestmark = pytest.mark.django_db(transaction=True)


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read()
    except OSError:
        return 0, b""


def test_run_serves_the_web_app_with_a_worker_and_stops_both_on_sigterm(tmp_path: Path) -> None:
    port = free_port()
    # Behind a proxy the address customers use is given, and wins over the port served here
    env = django_env(TOUCHPOINT_VAR_DIR=str(tmp_path), TOUCHPOINT_PUBLIC_URL="https://repairs.example.com")
    server = touchpoint("run", "--port", str(port), env=env)
    base = f"http://127.0.0.1:{port}"
    wait_for(
        lambda: get(f"{base}/healthz")[0] == 200 and json.loads(get(f"{base}/healthz")[1])["status"] == "ok",
        timeout=90,
        what="the web app to answer and its worker to beat",
    )
    status, page = get(f"{base}/")
    assert status == 200 and b"Touchpoint" in page
    css = get(f"{base}/static/touchpoint/site.css")  # collected at start, served by WhiteNoise
    assert css[0] == 200 and b"--accent" in css[1]
    server.send_signal(signal.SIGTERM)
    out, err = server.communicate(timeout=60)
    assert server.returncode == 0, err
    assert f"Touchpoint is serving on {base}" in out and out.rstrip().endswith("stopped")
    assert "Links in messages start with https://repairs.example.com (TOUCHPOINT_PUBLIC_URL)." in out
    assert WorkerHeartbeat.objects.get().stopped_at is not None  # the worker was stopped, not killed


MAIL_ENV = {
    "TOUCHPOINT_DEV_MAILBOX": "1",
    "TOUCHPOINT_EMAIL_BACKEND": "touchpoint.devmail.backend.CaptureBackend",
    "TOUCHPOINT_PAYMENT_PROVIDERS": "offline,demo",
}
ORDER = {
    "model": NANO,
    "problem": "not_sure",
    "name": "Ian Kearns",
    "email": "ian@example.com",
    "address_line1": "1 Park Row",
    "town": "Leeds",
    "postcode": "LS1 5AB",
    "country": "GB",
    "shipping": "post",
    "channel": "email",
}
CARD = {"number": "4242 4242 4242 4242", "expiry": "12 / 34", "cvc": "123", "name": "Ian Kearns"}


def mail_about(browser: Browser, base: str, subject_has: str) -> Answer:
    """The dev mailbox's page for the newest captured mail whose subject has ``subject_has``."""
    found: list[str] = []

    def arrived() -> bool:
        listing = browser.get(f"{base}/dev/mail/").page
        found[:] = [href for href, text in listing.links() if subject_has in text and href.startswith("/dev/mail/")]
        return bool(found)

    wait_for(arrived, timeout=90, what=f"the worker to send “{subject_has}” to the dev mailbox")
    return browser.get(f"{base}{found[0]}")


def test_run_on_another_port_sends_links_to_that_port_and_the_demo_card_page_pays(tmp_path: Path) -> None:
    """`touchpoint run --port N` on the demo's settings: an order placed over HTTP gets an email
    (sent by the worker to the dev mailbox) whose case link opens on port N; paying on the demo card
    page brings Stripe's signed event back through the worker, and the case moves on."""
    register_library("mail-in-repair")
    shop_catalog()
    port = free_port()
    env = django_env(TOUCHPOINT_VAR_DIR=str(tmp_path), **MAIL_ENV)
    env.pop("TOUCHPOINT_PUBLIC_URL", None)
    server = touchpoint("run", "--port", str(port), "--processes", "2", env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: get(f"{base}/healthz")[0] == 200, timeout=90, what="the web app to answer")
        browser = Browser()

        # The customer orders a repair on the order page
        order_page = browser.get(f"{base}/repair/")
        form = next(f for f in order_page.page.forms if f.method == "post" and "nonce" in f.field_names())
        placed = browser.submit(order_page, form, ORDER)
        assert placed.status == 303, placed.text[:2000]
        case = Case.objects.get()
        case_page = browser.get(placed.location)
        assert case_page.status == 200 and case.reference in case_page.text

        # The worker sends the order email; its case link leads to this port, and opens
        mail = mail_about(browser, base, case.reference)
        links = re.findall(r"https?://[^\s<>\"']+/c/[^\s<>\"'#]+", mail.page.text)
        assert links and all(link.startswith(f"{base}/c/") for link in links), links
        for link in links:
            opened = browser.get(link)
            assert opened.status == 200 and case.reference in opened.text, (link, opened.status)
        html_part = browser.get(f"{mail.url.rstrip('/')}/html")
        html_links = [href for href, _ in html_part.page.links() if "/c/" in href]
        assert html_links and all(href.startswith(f"{base}/c/") for href in html_links), html_links

        # The customer pays by card on the demo card page, with the test card that succeeds
        checkout = browser.press(case_page, "act-card_submitted")
        assert checkout.status == 303 and checkout.location.startswith(f"{base}/demo-pay/checkout/cs_test_")
        card_page = browser.get(checkout.location)
        assert card_page.status == 200 and "DEMO — no real money" in card_page.text
        card_form = next(f for f in card_page.page.forms if f.field_names() >= set(CARD))
        back = browser.submit(card_page, card_form, CARD)
        assert back.status == 303 and back.location == f"{case_page.url}?payment=done"
        assert browser.get(back.location).status == 200

        # The worker delivers Stripe's signed event to /hooks/stripe; the case moves on and says so
        wait_for(
            lambda: Case.objects.get().state == "awaiting_device",
            timeout=90,
            what="the demo's checkout.session.completed to reach /hooks/stripe",
        )
        # (the worker records the event delivered once the hook has answered: a moment after the case moved)
        wait_for(
            lambda: DemoEvent.objects.filter(status="delivered").exists(),
            timeout=30,
            what="the worker to record the event delivered",
        )
        assert list(DemoEvent.objects.values_list("type", "status")) == [("checkout.session.completed", "delivered")]
        assert Payment.objects.get().status == PaymentStatus.PAID
        paid_mail = mail_about(browser, base, "Paid")
        paid_links = re.findall(r"https?://[^\s<>\"']+/c/[^\s<>\"'#]+", paid_mail.page.text)
        assert paid_links and all(link.startswith(f"{base}/c/") for link in paid_links), paid_links
    finally:
        server.send_signal(signal.SIGTERM)
        out, err = server.communicate(timeout=60)
    assert server.returncode == 0, err
    assert f"Links in messages start with {base} (TOUCHPOINT_PUBLIC_URL)." in out
