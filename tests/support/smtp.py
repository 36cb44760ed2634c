"""A real SMTP server on loopback (aiosmtpd) that records what it receives, and can misbehave."""

from __future__ import annotations

import email
import email.policy
import logging
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage


@dataclass
class SinkHandler:
    """``fail_with`` answers DATA with that reply (e.g. "451 4.3.0 try later"); ``fail_times`` limits it;
    ``hang_up`` closes the connection at DATA; ``delay`` slows every message down."""

    received: list[Received] = field(default_factory=list)
    fail_with: str | None = None
    fail_times: int | None = None
    hang_up: bool = False
    delay: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.delay:
            time.sleep(self.delay)  # deliberately blocking: a slow server, one message at a time
        with self.lock:
            if self.hang_up:
                server.transport.close()  # drop the connection mid-conversation
                return "421 closing"
            if self.fail_with and (self.fail_times is None or self.fail_times > 0):
                if self.fail_times is not None:
                    self.fail_times -= 1
                return self.fail_with
            parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), parsed))  # type: ignore[arg-type]
        return "250 OK queued"

    def message_ids(self) -> list[str]:
        with self.lock:
            return [str(r.message["Message-ID"]) for r in self.received]


# aiosmtpd logs every connection at INFO from its own thread; once a test has pointed logging at a
# stream pytest later closed, those lines end as "--- Logging error ---" noise in the run's output.
logging.getLogger("mail.log").setLevel(logging.WARNING)


@contextmanager
def smtp_sink(**behaviour: Any) -> Iterator[tuple[SinkHandler, int]]:
    handler = SinkHandler(**behaviour)
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


def smtp_mailers(port: int) -> dict[str, Any]:
    """A MAILERS setting that sends to the sink on ``port``."""
    return {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 10},
        }
    }
