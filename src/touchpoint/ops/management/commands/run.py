from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import connections
from gunicorn.app.base import BaseApplication


def served_url(host: str, port: int) -> str:
    """The address a browser on this machine reaches ``host:port`` at: the host as bound (what people
    type, and what ALLOWED_HOSTS lists), 127.0.0.1 for "every interface", brackets for IPv6."""
    if host in ("", "0.0.0.0"):  # noqa: S104 - naming the wildcard, not binding to it
        host = "127.0.0.1"
    elif host == "::":
        host = "[::1]"
    elif ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}"


def default_processes() -> int:
    """One web process per core and one spare: a Python process serves on one core at a time (the
    GIL), so one process leaves the other cores idle however many threads it has; the spare keeps a
    core busy while another process waits on the network (a payment provider, say)."""
    return (os.cpu_count() or 1) + 1


class _Gunicorn(BaseApplication):  # type: ignore[misc]  # gunicorn ships no type hints
    """Gunicorn run from this command (so ``touchpoint run`` is all a machine needs): a master
    process and forked web processes sharing one socket. Sync workers, one request at a time each:
    requests are taken in the order they arrive, so under load every client waits about the same
    (threaded workers with keep-alive served some connections ten times as often as others, which
    doubled the slowest 5%'s wait). In production they sit behind a buffering proxy (nginx, Caddy),
    as gunicorn recommends, so a slow client never holds a process."""

    def __init__(self, application: Any, options: dict[str, Any]) -> None:
        self.application = application
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        return self.application


class Command(BaseCommand):
    help = "Serve the web app (gunicorn, a process per core) and run one worker beside it, until Ctrl-C or SIGTERM."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("TOUCHPOINT_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("TOUCHPOINT_PORT", "8000")))
        parser.add_argument(
            "--processes",
            type=int,
            default=int(os.environ.get("TOUCHPOINT_WEB_PROCESSES", "0")) or default_processes(),
            help="web processes (default: one per core, plus one)",
        )
        parser.add_argument("--no-worker", action="store_true", help="serve the web app only")

    def handle(self, *args: Any, **options: Any) -> None:
        # Static files are served from what collectstatic gathered; gather them so a fresh checkout just works.
        call_command("collectstatic", interactive=False, verbosity=0)
        from touchpoint.wsgi import application  # after collectstatic: WhiteNoise indexes the files when it starts

        # Links in messages must lead where the shop is served: unless TOUCHPOINT_PUBLIC_URL says
        # otherwise (behind a proxy), that is this host and port, for the web processes (forked from
        # here, with these settings) and the worker (started with this environment).
        url = f"http://{options['host']}:{options['port']}"
        public = os.environ.get("TOUCHPOINT_PUBLIC_URL", "").strip()
        if not public:
            public = served_url(options["host"], options["port"])
            os.environ["TOUCHPOINT_PUBLIC_URL"] = public
        settings.TOUCHPOINT_PUBLIC_URL = public.rstrip("/")
        connections.close_all()  # nothing open is carried into the forked web processes
        master = os.getpid()
        worker: subprocess.Popen[bytes] | None = None
        if not options["no_worker"]:
            # A separate process, as in production: nothing the worker needs lives in the web process.
            worker = subprocess.Popen([sys.executable, "-m", "touchpoint.cli", "worker"], env=os.environ.copy())
        self.stdout.write(
            f"Touchpoint is serving on {url} (admin: {url}/admin/, health: {url}/healthz)"
            + f", {options['processes']} web processes"
            + ("" if worker is None else f", worker pid {worker.pid}")
        )
        self.stdout.write(f"Links in messages start with {settings.TOUCHPOINT_PUBLIC_URL} (TOUCHPOINT_PUBLIC_URL).")
        self.stdout.write(f"Database: {settings.DATABASES['default']['NAME']}. Stop with Ctrl-C.")
        self.stdout.flush()
        server = _Gunicorn(
            application,
            {
                "bind": f"{options['host']}:{options['port']}",
                "workers": options["processes"],
                "worker_class": "sync",
                "timeout": 120,  # a big export may take a while; a stuck request is still ended
                "graceful_timeout": 20,
                "backlog": 2048,
                "loglevel": "warning",
                "accesslog": None,
                "proc_name": "touchpoint",
            },
        )
        try:
            server.run()  # gunicorn's master handles SIGTERM and Ctrl-C itself and exits by SystemExit
        except SystemExit as exc:
            if os.getpid() != master:
                raise  # a forked web process leaving: it must not stop the worker or speak for the server
            if exc.code not in (0, None):
                raise
        finally:
            if os.getpid() == master:
                if worker is not None and worker.poll() is None:
                    worker.terminate()
                    try:
                        worker.wait(timeout=30)
                    except subprocess.TimeoutExpired:
                        worker.kill()
                self.stdout.write("stopped")
