"""A reverse proxy for tests, run as its own process: it forwards each request to the app and appends
the address the request came from to ``X-Forwarded-For``, as nginx does with
``proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for`` (and Caddy by default). It keeps
the Host header and connects to the app from its own listening address, so the app sees the proxy
as the peer, as it would in production.

    python -m tests.support.proxy --listen 127.0.0.2 --upstream 127.0.0.1:8141

prints ``listening on 127.0.0.2:<port>`` once it accepts connections (port 0 picks a free one).

Also here: :class:`BoundBrowser`, a person's browser whose connections leave from a chosen loopback
address (Linux answers on all of 127.0.0.0/8), so several clients can reach the proxy from
different addresses on one machine."""

from __future__ import annotations

import argparse
import http.client
import sys
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.ops.browse import Browser, _NoRedirect

# Hop-by-hop headers (RFC 9110 §7.6.1) are for one connection and are not forwarded.
HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade"}


def handler_for(upstream: tuple[str, int], source: str) -> type[BaseHTTPRequestHandler]:
    class Forward(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"  # one request per connection: simple, and enough for tests

        def _forward(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
            headers.pop("X-Forwarded-For", None)
            seen = self.headers.get_all("X-Forwarded-For") or []
            headers["X-Forwarded-For"] = ", ".join([*seen, self.client_address[0]])
            headers["X-Forwarded-Proto"] = "http"
            connection = http.client.HTTPConnection(*upstream, timeout=60, source_address=(source, 0))
            try:
                try:
                    connection.request(self.command, self.path, body=body, headers=headers)
                    answer = connection.getresponse()
                    payload = answer.read()
                except OSError:  # the app isn't up (yet): say so, as nginx does
                    self.send_error(502, "Bad Gateway")
                    return
                self.send_response(answer.status, answer.reason)
                for name, value in answer.getheaders():
                    if name.lower() not in HOP_BY_HOP and name.lower() != "content-length":
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(payload)
            finally:
                connection.close()

        do_GET = do_POST = do_HEAD = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = _forward

        def log_message(self, format: str, *args: Any) -> None:
            return

    return Forward


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--listen", default="127.0.0.2", help="address to listen on (and to connect upstream from)")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--upstream", required=True, help="host:port of the app")
    args = parser.parse_args(argv)
    host, _, port = args.upstream.rpartition(":")
    server = ThreadingHTTPServer((args.listen, args.port), handler_for((host, int(port)), args.listen))
    print(f"listening on {args.listen}:{server.server_address[1]}", flush=True)
    server.serve_forever()


class _BoundHandler(urllib.request.HTTPHandler):
    def __init__(self, source: str) -> None:
        super().__init__()
        self.source = source

    def http_open(self, req: Any) -> Any:
        return self.do_open(partial(http.client.HTTPConnection, source_address=(self.source, 0)), req)


@dataclass
class BoundBrowser(Browser):
    """A browser on a machine with address ``source``."""

    source: str = field(default="127.0.0.1")

    def __post_init__(self) -> None:
        self._opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}),
            _BoundHandler(self.source),
            urllib.request.HTTPCookieProcessor(self.jar),
            _NoRedirect(),
        )

    def get_with(self, url: str, headers: dict[str, str]) -> Any:
        return self._open(urllib.request.Request(url, headers=headers))

    def post_with(self, url: str, data: dict[str, Any], *, referer: str, headers: dict[str, str]) -> Any:
        body = urllib.parse.urlencode(data, doseq=True).encode()
        sent = {"Content-Type": "application/x-www-form-urlencoded", "Referer": referer, **headers}
        return self._open(urllib.request.Request(url, data=body, headers=sent, method="POST"))


if __name__ == "__main__":
    sys.exit(main())
