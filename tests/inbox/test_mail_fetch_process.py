"""`touchpoint mail-fetch` as an operator runs it: its own process, polling dovecot, stopped by SIGTERM."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from tests.inbox.mails import mail
from tests.support.imap import Dovecot, dovecot
from tests.support.processes import django_env, touchpoint, wait_for
from touchpoint.inbox.models import InboundMessage

__all__ = ["dovecot"]  # the fixture
pytestmark = pytest.mark.django_db(transaction=True)


def test_the_polling_loop_receives_mail_as_it_arrives_and_stops_on_sigterm(dovecot: Dovecot, tmp_path: Path) -> None:
    # given mail-fetch polling the mailbox every 0.2 s in its own process
    env = django_env(
        TOUCHPOINT_VAR_DIR=str(tmp_path),
        TOUCHPOINT_IMAP_HOST="127.0.0.1",
        TOUCHPOINT_IMAP_PORT=str(dovecot.port),
        TOUCHPOINT_IMAP_USER=dovecot.user,
        TOUCHPOINT_IMAP_PASSWORD=dovecot.password,
        TOUCHPOINT_IMAP_SSL="0",
    )
    fetcher = touchpoint("mail-fetch", "--interval", "0.2", env=env)
    try:
        # when two messages arrive one after the other
        dovecot.deliver(mail(sender="dana@example.net", message_id="<first@example.net>"))
        wait_for(lambda: InboundMessage.objects.count() == 1, timeout=30, what="the first message to be received")
        dovecot.deliver(mail(sender="ruth@example.net", message_id="<second@example.net>"))
        wait_for(lambda: InboundMessage.objects.count() == 2, timeout=30, what="the second message to be received")
    finally:
        fetcher.send_signal(signal.SIGTERM)
        out, err = fetcher.communicate(timeout=30)
    # then each was received once, and the loop stopped cleanly
    assert fetcher.returncode == 0, err
    assert sorted(InboundMessage.objects.values_list("message_id", "source")) == [
        ("<first@example.net>", "imap"),
        ("<second@example.net>", "imap"),
    ]
    assert out.splitlines()[0] == "polling shop@127.0.0.1 INBOX every 0.2s (Ctrl-C stops)"
    assert out.count("1 fetched: 1 new, 0 already had, 0 failed") == 2
    assert out.rstrip().endswith("stopped")
