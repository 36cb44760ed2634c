"""``touchpoint mail_fetch``: receive unseen mail from the IMAP mailbox, once or every N seconds."""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from touchpoint.inbox.imap import MailboxError, MailboxSettings, mailbox_fetch


class Command(BaseCommand):
    help = "Fetch unseen mail from the IMAP mailbox (TOUCHPOINT_IMAP_*) into the inbox, then mark it seen."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="fetch once and exit (default: keep polling)")
        parser.add_argument(
            "--interval",
            type=float,
            default=None,
            help=f"seconds between polls (default TOUCHPOINT_IMAP_INTERVAL, {settings.TOUCHPOINT_IMAP_INTERVAL})",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        config = MailboxSettings(
            host=settings.TOUCHPOINT_IMAP_HOST,
            port=settings.TOUCHPOINT_IMAP_PORT,
            user=settings.TOUCHPOINT_IMAP_USER,
            password=settings.TOUCHPOINT_IMAP_PASSWORD,
            mailbox=settings.TOUCHPOINT_IMAP_MAILBOX,
            use_ssl=settings.TOUCHPOINT_IMAP_SSL,
            starttls=settings.TOUCHPOINT_IMAP_STARTTLS,
            processed_folder=settings.TOUCHPOINT_IMAP_PROCESSED_FOLDER,
        )
        interval = options["interval"] if options["interval"] is not None else settings.TOUCHPOINT_IMAP_INTERVAL
        if options["once"]:
            try:
                summary = mailbox_fetch(config=config, progress=self.stdout.write)
            except MailboxError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(f"{config.user}@{config.host} {config.mailbox}: {summary.describe()}")
            return
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        self.stdout.write(f"polling {config.user}@{config.host} {config.mailbox} every {interval:g}s (Ctrl-C stops)")
        while not stop.is_set():
            try:
                summary = mailbox_fetch(config=config, progress=self.stdout.write)
                if summary.fetched:
                    self.stdout.write(summary.describe())
            except MailboxError as exc:  # the server may come back: say so and try again next round
                self.stderr.write(f"{exc}; trying again in {interval:g}s")
            stop.wait(interval)
        self.stdout.write("stopped")
