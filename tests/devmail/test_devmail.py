"""The dev mailbox: outgoing mail captured and readable at /dev/mail/ only when it is switched on."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.test import Client, override_settings

from touchpoint.cases.actors import SYSTEM
from touchpoint.cases.models import Case
from touchpoint.devmail.models import CapturedMail
from touchpoint.flows.advance import case_advance
from touchpoint.worker.loop import Worker

CAPTURE = {"default": {"BACKEND": "touchpoint.devmail.backend.CaptureBackend", "OPTIONS": {}}}


@pytest.fixture
def mailbox_on() -> Iterator[None]:
    with override_settings(TOUCHPOINT_DEV_MAILBOX=True, ROOT_URLCONF="tests.devmail.urls", MAILERS=CAPTURE):
        yield


def send_two(case: Case) -> list[CapturedMail]:
    """Paid (playful), then the device never came (an exception: sober); each sent by the worker."""
    case = case_advance(case=case, event="payment_received", actor=SYSTEM).case
    Worker(worker_id="w1").run(until_idle=True)
    case_advance(case=case, event="not_sent", actor=SYSTEM)
    Worker(worker_id="w1").run(until_idle=True)
    return list(CapturedMail.objects.all())


def test_the_capture_backend_keeps_each_message_with_its_tone_and_reason(new_case: Case, mailbox_on: None) -> None:
    newest, oldest = send_two(new_case)
    assert (oldest.subject, oldest.to, oldest.tone, oldest.tone_reason, oldest.case_reference) == (
        f"{new_case.reference}: Paid; how to send the device.",
        "ian@example.com",
        "playful",
        "all going well",
        new_case.reference,
    )
    assert (newest.subject, newest.tone, newest.tone_reason) == (
        f"{new_case.reference}: We haven't received the device; a person will call.",
        "sober",
        "exception: the case is in “We are looking into it”",
    )
    names = [name for name, _ in newest.headers]
    assert {"Message-ID", "In-Reply-To", "References", "Reply-To", "Auto-Submitted"} <= set(names)
    assert newest.message_id == dict(newest.headers)["Message-ID"]
    assert "Talk to a person: reply to this email" in newest.body_text
    assert "<strong>Talk to a person:</strong>" in newest.body_html


def test_the_list_shows_captured_mail_newest_first(new_case: Case, mailbox_on: None, client: Client) -> None:
    newest, oldest = send_two(new_case)
    page = client.get("/dev/mail/").content.decode()
    assert page.index(newest.subject.replace("'", "&#x27;")) < page.index(oldest.subject)
    assert f'href="/dev/mail/{newest.pk}/"' in page


def test_a_message_shows_headers_both_parts_and_the_tone_with_its_reason(
    new_case: Case, mailbox_on: None, client: Client
) -> None:
    newest, _ = send_two(new_case)
    response = client.get(f"/dev/mail/{newest.pk}/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "<strong>sober</strong>: exception: the case is in “We are looking into it”" in page
    assert "Talk to a person: reply to this email" in page
    assert (
        '<iframe class="devmail-html" title="The HTML part, as the customer\'s mail app shows it" sandbox '
        f'src="/dev/mail/{newest.pk}/html"></iframe>' in page
    )
    assert f'<tr><th scope="row">Reply-To</th><td>reply+{new_case.reply_token}@' in page
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_the_html_part_is_served_alone_under_a_csp_that_lets_nothing_run(
    new_case: Case, mailbox_on: None, client: Client
) -> None:
    newest, _ = send_two(new_case)
    response = client.get(f"/dev/mail/{newest.pk}/html")
    assert response.status_code == 200
    assert response.content.decode() == newest.body_html
    # images only from here (the shop's logo and the persona's face, as the emails address them)
    assert response["Content-Security-Policy"] == (
        f"default-src 'none'; img-src 'self' data: {settings.TOUCHPOINT_PUBLIC_URL}; style-src 'unsafe-inline'; "
        "frame-ancestors 'self'; sandbox"
    )
    assert (response["X-Frame-Options"], response["X-Content-Type-Options"]) == ("SAMEORIGIN", "nosniff")


def test_the_mailbox_is_not_there_when_switched_off(client: Client, db: None) -> None:
    assert client.get("/dev/mail/").status_code == 404  # the site's own URLs: not mounted
    with override_settings(ROOT_URLCONF="tests.devmail.urls", TOUCHPOINT_DEV_MAILBOX=False):
        assert client.get("/dev/mail/").status_code == 404  # mounted by mistake: the views refuse


def test_the_mailbox_is_off_unless_the_environment_turns_it_on() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOUCHPOINT_DEV")}
    script = "from touchpoint import settings; print(settings.TOUCHPOINT_DEV_MAILBOX)"
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
