"""A server on loopback speaking Twilio's REST shapes for the Messages resource, following Twilio's
published API docs (recorded answers and their sources: tests/support/twilio/README.md).

``POST /2010-04-01/Accounts/{AccountSid}/Messages.json`` with HTTP Basic auth (the account SID and
auth token) answers ``201`` with a Message resource, or the error answer queued with
:meth:`TwilioServer.answer` ("21211", "21610", "429", "500", or "hang_up": no answer at all). Every
request is recorded, so tests assert what was sent (To, Body, From, StatusCallback, the credentials).

The ``twilio`` fixture starts one per test and points the SMS settings at it; the status callbacks
Twilio would send back are made (and signed as Twilio signs them) by :func:`status_callback`."""

from __future__ import annotations

import base64
import json
import re
import secrets
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest
from twilio.request_validator import RequestValidator

from touchpoint.text.sms import sms_segments

RECORDED = Path(__file__).parent / "twilio"
ACCOUNT_SID = "AC5ef8732a3c49700934481addd5ce1659"
AUTH_TOKEN = "twilio-test-auth-token-5ef8732a3c"
FROM_NUMBER = "+447700900000"
MESSAGES = re.compile(r"^/2010-04-01/Accounts/(?P<sid>AC[0-9a-f]{32})/Messages\.json$")
ERRORS = {"21211": 400, "21610": 400, "429": 429}


def recorded(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((RECORDED / f"{name}.json").read_text())
    return data


@dataclass(frozen=True)
class TwilioRequest:
    """One request as the server saw it; ``sid`` is the Message SID it answered with ("" if refused)."""

    method: str
    path: str
    form: dict[str, str]
    auth: tuple[str, str] | None
    answered: int
    sid: str = ""


@dataclass
class TwilioServer:
    url: str = ""
    requests: list[TwilioRequest] = field(default_factory=list)
    answers: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    # Called with each text Twilio took, before it answers the request: what Twilio does meanwhile
    # (its status callback can come before its answer when a number fails at once)
    before_answer: Callable[[TwilioRequest], None] | None = None

    def answer(self, *names: str) -> None:
        """The next requests get these answers, in order ("21211", "21610", "429", "500", "hang_up"); then 201s."""
        with self.lock:
            self.answers.extend(names)

    @property
    def sent(self) -> list[TwilioRequest]:
        """The texts Twilio took (answered 201)."""
        with self.lock:
            return [r for r in self.requests if r.answered == 201]

    def _next(self) -> str:
        with self.lock:
            return self.answers.pop(0) if self.answers else "201"

    def _record(self, request: TwilioRequest) -> None:
        with self.lock:
            self.requests.append(request)


def _message(account: str, form: dict[str, str], sid: str) -> dict[str, Any]:
    now = format_datetime(datetime.now(UTC), usegmt=True)
    body = form.get("Body", "")
    return {
        **recorded("message"),
        "account_sid": account,
        "body": body,
        "date_created": now,
        "date_updated": now,
        "from": form.get("From"),
        "messaging_service_sid": form.get("MessagingServiceSid"),
        "num_segments": str(max(sms_segments(body).segments, 1)),
        "sid": sid,
        "status": "accepted" if form.get("MessagingServiceSid") else "queued",
        "subresource_uris": {"media": f"/2010-04-01/Accounts/{account}/Messages/{sid}/Media.json"},
        "to": form.get("To", ""),
        "uri": f"/2010-04-01/Accounts/{account}/Messages/{sid}.json",
    }


def _handler(server: TwilioServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # quiet test output
            pass

        def _answer(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            form = dict(parse_qsl(self.rfile.read(length).decode(), keep_blank_values=True))
            auth = _basic(self.headers.get("Authorization", ""))
            found = MESSAGES.match(self.path.split("?")[0])

            def seen(answered: int, sid: str = "") -> TwilioRequest:
                return TwilioRequest("POST", self.path, form, auth, answered, sid)

            if found is None:
                server._record(seen(404))
                self._answer(404, {"code": 20404, "message": "The requested resource was not found", "status": 404})
                return
            if auth != (found["sid"], AUTH_TOKEN):
                server._record(seen(401))
                body = {"code": 20003, "message": "Authenticate", "more_info": "", "status": 401}
                self._answer(401, {**body, "more_info": "https://www.twilio.com/docs/errors/20003"})
                return
            answer = server._next()
            if answer == "hang_up":
                server._record(seen(0))
                self.close_connection = True  # no status line at all: the client sees the connection drop
                return
            if answer == "500":
                server._record(seen(500))
                self._answer(500, {"code": 20500, "message": "Internal Server Error", "status": 500})
                return
            if answer in ERRORS:
                server._record(seen(ERRORS[answer]))
                error = recorded(f"error_{answer}")
                self._answer(ERRORS[answer], {**error, "message": error["message"].replace("{To}", form.get("To", ""))})
                return
            sid = "SM" + secrets.token_hex(16)
            server._record(seen(201, sid))
            if server.before_answer is not None:
                server.before_answer(seen(201, sid))
            self._answer(201, _message(found["sid"], form, sid))

    return Handler


def _basic(header: str) -> tuple[str, str] | None:
    if not header.startswith("Basic "):
        return None
    user, _, password = base64.b64decode(header[6:]).decode().partition(":")
    return user, password


@contextmanager
def twilio_server() -> Iterator[TwilioServer]:
    state = TwilioServer()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    state.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def twilio_settings(server: TwilioServer) -> dict[str, Any]:
    """The settings that send texts through Twilio's library to ``server``."""
    return {
        "TOUCHPOINT_SMS_PROVIDER": "touchpoint.sms.providers.twilio.TwilioProvider",
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_FROM_NUMBER": FROM_NUMBER,
        "TWILIO_MESSAGING_SERVICE_SID": "",
        "TWILIO_API_BASE_URL": server.url,
        "TWILIO_TIMEOUT": 5,
    }


@pytest.fixture
def twilio() -> Iterator[TwilioServer]:
    from django.test import override_settings

    with twilio_server() as server, override_settings(**twilio_settings(server)):
        yield server


def status_callback(
    sent: TwilioRequest, status: str, *, error_code: str | None = None
) -> tuple[str, dict[str, str], dict[str, str]]:
    """What Twilio POSTs to a text's StatusCallback when its status changes: (the URL, the form, the
    headers with ``X-Twilio-Signature`` computed as Twilio computes it). Shapes:
    https://www.twilio.com/docs/messaging/guides/track-outbound-message-status"""
    url = sent.form["StatusCallback"]
    form = {
        "AccountSid": ACCOUNT_SID,
        "ApiVersion": "2010-04-01",
        "From": sent.form.get("From", FROM_NUMBER),
        "MessageSid": sent.sid,
        "MessageStatus": status,
        "SmsSid": sent.sid,
        "SmsStatus": status,
        "To": sent.form["To"],
        **({"ErrorCode": error_code} if error_code else {}),
    }
    signature = RequestValidator(AUTH_TOKEN).compute_signature(url, form)
    return url, form, {"X-Twilio-Signature": signature}
