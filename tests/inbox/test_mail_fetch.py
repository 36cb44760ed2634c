"""`touchpoint mail_fetch` against a real IMAP server (dovecot) that the test starts."""

from __future__ import annotations

import imaplib
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from tests.inbox.mails import mail
from tests.support.imap import Dovecot, dovecot
from touchpoint.cases.models import Case, Task, TaskKind
from touchpoint.inbox.imap import MailboxError, MailboxSettings, mailbox_fetch
from touchpoint.inbox.models import InboundMessage, Kind, MatchedBy
from touchpoint.inbox.services import inbound_receive

__all__ = ["dovecot"]  # the fixture
pytestmark = pytest.mark.django_db


@pytest.fixture
def imap_settings(dovecot: Dovecot, settings: Any) -> Dovecot:
    settings.TOUCHPOINT_IMAP_HOST = "127.0.0.1"
    settings.TOUCHPOINT_IMAP_PORT = dovecot.port
    settings.TOUCHPOINT_IMAP_USER = dovecot.user
    settings.TOUCHPOINT_IMAP_PASSWORD = dovecot.password
    settings.TOUCHPOINT_IMAP_SSL = False
    return dovecot


def config(server: Dovecot, **overrides: Any) -> MailboxSettings:
    values: dict[str, Any] = {
        "host": "127.0.0.1",
        "port": server.port,
        "user": server.user,
        "password": server.password,
        "use_ssl": False,
    }
    return MailboxSettings(**{**values, **overrides})


def flags(server: Dovecot) -> list[bytes]:
    client = imaplib.IMAP4("127.0.0.1", server.port)
    client.login(server.user, server.password)
    _, count = client.select("INBOX", readonly=True)
    if count[0] == b"0":
        client.logout()
        return []
    _, data = client.fetch("1:*", "(FLAGS)")
    client.logout()
    return [item for item in data if isinstance(item, bytes)]


def run_once() -> str:
    out = StringIO()
    call_command("mail_fetch", "--once", stdout=out)
    return out.getvalue()


def test_a_reply_in_the_mailbox_joins_its_case_and_is_flagged_seen(imap_settings: Dovecot, paid_case: Case) -> None:
    # given the customer's reply to the case's reply address, waiting in the mailbox
    raw = mail(to=f"reply+{paid_case.reply_token}@touchpoint.localhost", body="Is it fixed yet?\n")
    imap_settings.deliver(raw)
    # when mail_fetch runs once
    output = run_once()
    # then it is an inbound message on the right case, a person has it, and the server marked it seen
    message = InboundMessage.objects.get()
    assert (message.source, message.kind, message.case_id, message.matched_by) == (
        "imap",
        Kind.REPLY,
        paid_case.pk,
        MatchedBy.TOKEN,
    )
    assert bytes(message.raw) == raw.replace(b"\n", b"\r\n")  # as IMAP serves it: CRLF line ends
    assert Task.objects.get(kind=TaskKind.CUSTOMER_MESSAGE).case_id == paid_case.pk
    assert f"uid 1: reply from ian@example.com → {paid_case.reference} by token (inbound #{message.pk})" in output
    assert output.strip().endswith("INBOX: 1 fetched: 1 new, 0 already had, 0 failed")
    [status] = flags(imap_settings)
    assert b"\\Seen" in status
    # and a second run fetches nothing new
    assert run_once().strip() == "shop@127.0.0.1 INBOX: 0 fetched: 0 new, 0 already had, 0 failed"
    assert InboundMessage.objects.count() == 1


def test_a_broken_message_never_stops_the_batch(dovecot: Dovecot, db: Any) -> None:
    # given three messages, the second of which our side fails to store
    for n in range(3):
        dovecot.deliver(mail(sender=f"p{n}@example.net", message_id=f"<batch-{n}@example.net>"))

    def flaky(*, raw: bytes, source: str) -> Any:
        if b"<batch-1@" in raw:
            raise RuntimeError("database went away")
        return inbound_receive(raw=raw, source=source)

    # when the mailbox is fetched
    summary = mailbox_fetch(config=config(dovecot), receive=flaky)
    # then the others are stored, and the broken one stays unseen for the next run
    assert (summary.fetched, summary.new, summary.failed) == (3, 2, 1)
    assert sorted(InboundMessage.objects.values_list("from_email", flat=True)) == ["p0@example.net", "p2@example.net"]
    assert summary.lines[1] == "uid 2: failed, left unseen for the next run (RuntimeError: database went away)"
    again = mailbox_fetch(config=config(dovecot))
    assert (again.fetched, again.new) == (1, 1)


def test_a_message_seen_before_it_was_flagged_is_recognised_as_a_duplicate(dovecot: Dovecot, db: Any) -> None:
    # given a message stored already (e.g. we crashed between the commit and the \Seen flag)
    raw = mail(sender="dana@example.net", message_id="<twice@example.net>")
    inbound_receive(raw=raw, source="webhook")
    dovecot.deliver(raw)
    summary = mailbox_fetch(config=config(dovecot))
    assert (summary.fetched, summary.new, summary.duplicate) == (1, 0, 1)
    assert InboundMessage.objects.count() == 1
    assert Task.objects.filter(kind=TaskKind.NEW_CONVERSATION).count() == 1


def test_processed_mail_can_be_moved_to_a_folder(dovecot: Dovecot, db: Any) -> None:
    dovecot.deliver(mail(sender="dana@example.net"))
    client = imaplib.IMAP4("127.0.0.1", dovecot.port)
    client.login(dovecot.user, dovecot.password)
    client.create("Processed")
    client.logout()
    mailbox_fetch(config=config(dovecot, processed_folder="Processed"))
    assert flags(dovecot) == []
    assert (
        len(list((dovecot.maildir / ".Processed" / "cur").iterdir()))
        + len(list((dovecot.maildir / ".Processed" / "new").iterdir()))
        == 1
    )


def test_a_wrong_password_is_reported_plainly(dovecot: Dovecot, db: Any) -> None:
    with pytest.raises(MailboxError, match="the IMAP server refused"):
        mailbox_fetch(config=config(dovecot, password="wrong"))


def test_plain_text_is_refused_off_loopback(db: Any) -> None:
    with pytest.raises(MailboxError, match="refusing to send the IMAP password in plain text"):
        mailbox_fetch(
            config=MailboxSettings(host="192.0.2.1", port=1, user="u", password="p", use_ssl=False, timeout=0.5)
        )


def test_the_command_says_what_to_set_when_no_server_is_configured(settings: Any) -> None:
    settings.TOUCHPOINT_IMAP_HOST = ""
    with pytest.raises(CommandError, match="set TOUCHPOINT_IMAP_HOST"):
        call_command("mail_fetch", "--once")
