"""Poll an IMAP mailbox: each unseen message is received, then flagged \\Seen once it is committed.

A message is only marked (and optionally moved) after ``inbound_receive`` has committed it, so a
crash in between means it is fetched again next time, and the duplicate is recognised. A message
that fails stays unseen for the next run and never stops the batch."""

from __future__ import annotations

import contextlib
import imaplib
import ipaddress
import logging
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field

from touchpoint.inbox.models import Source
from touchpoint.inbox.services import InboundResult, inbound_receive

log = logging.getLogger(__name__)


class MailboxError(Exception):
    """The mailbox could not be reached or read; the message says what to check."""


@dataclass(frozen=True)
class MailboxSettings:
    host: str
    port: int
    user: str
    password: str
    mailbox: str = "INBOX"
    use_ssl: bool = True
    starttls: bool = False
    processed_folder: str = ""
    timeout: float = 30.0


@dataclass
class FetchSummary:
    fetched: int = 0
    new: int = 0
    duplicate: int = 0
    failed: int = 0
    lines: list[str] = field(default_factory=list)

    def describe(self) -> str:
        return f"{self.fetched} fetched: {self.new} new, {self.duplicate} already had, {self.failed} failed"


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _connect(config: MailboxSettings) -> imaplib.IMAP4:
    if not config.host:
        raise MailboxError("no IMAP server configured: set TOUCHPOINT_IMAP_HOST (and _USER, _PASSWORD)")
    if not config.use_ssl and not config.starttls and not _is_loopback(config.host):
        raise MailboxError(
            f"refusing to send the IMAP password in plain text to {config.host}: "
            "set TOUCHPOINT_IMAP_SSL=1 or TOUCHPOINT_IMAP_STARTTLS=1 (plain text is for loopback only)"
        )
    try:
        if config.use_ssl:
            return imaplib.IMAP4_SSL(
                config.host, config.port, ssl_context=ssl.create_default_context(), timeout=config.timeout
            )
        client = imaplib.IMAP4(config.host, config.port, timeout=config.timeout)
        if config.starttls:
            client.starttls(ssl.create_default_context())
        return client
    except (OSError, imaplib.IMAP4.error) as exc:
        raise MailboxError(f"can't reach the IMAP server {config.host}:{config.port}: {exc}") from exc


def mailbox_fetch(
    *,
    config: MailboxSettings,
    receive: Callable[..., InboundResult] = inbound_receive,
    progress: Callable[[str], None] | None = None,
) -> FetchSummary:
    """Fetch every unseen message once. Raises :class:`MailboxError` if the mailbox can't be used."""
    summary = FetchSummary()
    say = progress or (lambda line: None)
    client = _connect(config)
    try:
        try:
            client.login(config.user, config.password)
            status, _ = client.select(_quote(config.mailbox))
            if status != "OK":
                raise MailboxError(f"the mailbox {config.mailbox!r} can't be opened: check TOUCHPOINT_IMAP_MAILBOX")
            status, data = client.uid("SEARCH", "UNSEEN")
        except imaplib.IMAP4.error as exc:
            raise MailboxError(f"the IMAP server refused: {exc} (check the user, password and mailbox)") from exc
        uids = data[0].decode().split() if status == "OK" and data and data[0] else []
        for uid in uids:
            summary.fetched += 1
            line = _one(client, uid, config, receive, summary)
            summary.lines.append(line)
            say(line)
    finally:
        with contextlib.suppress(OSError, imaplib.IMAP4.error):  # the server went away; we are done anyway
            client.logout()
    return summary


def _one(
    client: imaplib.IMAP4,
    uid: str,
    config: MailboxSettings,
    receive: Callable[..., InboundResult],
    summary: FetchSummary,
) -> str:
    name = uid
    try:
        status, data = client.uid("FETCH", uid, "(BODY.PEEK[])")
        raw = next((part[1] for part in data if isinstance(part, tuple) and len(part) == 2), None)
        if status != "OK" or not isinstance(raw, bytes):
            raise MailboxError(f"the server did not return message {name}")
        result = receive(raw=raw, source=Source.IMAP)
    except Exception as exc:  # one broken message never stops the batch; it stays unseen for next time
        summary.failed += 1
        log.exception("imap message %s could not be received", name)
        return f"uid {name}: failed, left unseen for the next run ({type(exc).__name__}: {exc})"
    # Committed: only now is it safe to mark it.
    try:
        client.uid("STORE", uid, "+FLAGS", "(\\Seen)")
        if config.processed_folder:
            client.uid("COPY", uid, _quote(config.processed_folder))
            client.uid("STORE", uid, "+FLAGS", "(\\Deleted)")
            client.expunge()
    except imaplib.IMAP4.error as exc:
        log.warning("imap message %s stored but could not be flagged: %s", name, exc)
    message = result.message
    if result.duplicate:
        summary.duplicate += 1
        return f"uid {name}: already had it (inbound #{message.pk})"
    summary.new += 1
    where = f"{message.case.reference} by {message.matched_by}" if message.case is not None else "no case"
    return f"uid {name}: {message.kind} from {message.from_email or 'unknown sender'} → {where} (inbound #{message.pk})"


def _quote(mailbox: str) -> str:
    return '"' + mailbox.replace("\\", "\\\\").replace('"', '\\"') + '"'
