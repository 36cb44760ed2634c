from __future__ import annotations

import contextlib
import errno
import os
import signal
import socket
import sys
import traceback
from types import FrameType
from typing import Any, NoReturn

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, connections
from gunicorn.app.base import BaseApplication

from touchpoint.ops.supervise import Child, GaveUp, Supervisor, die_with_parent
from touchpoint.staff.first_run import owner_exists, setup_code

BACKLOG = 2048


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


def listen(host: str, port: int) -> socket.socket:
    """The listening socket, opened once here and handed to each web server started (gunicorn's
    ``fd://``): a web server started again serves the same socket, and connections that arrive
    meanwhile wait in its backlog instead of being refused. A port in use is said at once."""
    try:
        family, kind, _, _, address = socket.getaddrinfo(
            host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
        sock = socket.socket(family, kind)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise CommandError(
                f"{host}:{port} is in use by another program: stop it, or serve on another port (--port)."
            ) from exc
        raise CommandError(f"can't serve on {host}:{port} ({exc.strerror or exc}): check --host and --port.") from exc
    sock.listen(BACKLOG)
    return sock


def _serve_forked(server: _Gunicorn) -> NoReturn:
    """The web server's process: gunicorn's master, then its forked web processes, leave here and
    only here (never through the supervisor's code, which lives on in their copy of the stack)."""
    code = 1
    try:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)  # gunicorn sets its own; until then, the default
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        server.run()  # gunicorn's master handles SIGTERM and Ctrl-C itself and exits by SystemExit
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:
        traceback.print_exc()
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing more to say
                stream.flush()
        os._exit(code)


class Command(BaseCommand):
    help = "Serve the web app (gunicorn, a process per core) and run one worker beside it, until Ctrl-C or SIGTERM."

    def get_check_kwargs(self, options: Any) -> Any:  # django-stubs types its keys loosely
        # Only the checks that need no database: Django's own would ask PostgreSQL its version (for the
        # generated columns), and a database that is down must not stop the start; /healthz says so.
        kwargs: dict[Any, Any] = dict(super().get_check_kwargs(options))
        return {**kwargs, "databases": []}

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
        sock = listen(options["host"], options["port"])
        connections.close_all()  # nothing open is carried into the web server or the worker
        server = _Gunicorn(
            application,
            {
                "bind": f"fd://{sock.fileno()}",
                "workers": options["processes"],
                "worker_class": "sync",
                "timeout": 120,  # a big export may take a while; a stuck request is still ended
                "graceful_timeout": 20,
                "backlog": BACKLOG,
                "loglevel": "warning",
                "accesslog": None,
                "proc_name": "touchpoint",
            },
        )

        supervisor_pid = os.getpid()

        def start_web() -> int:
            pid = os.fork()
            if pid == 0:
                die_with_parent(supervisor_pid)
                _serve_forked(server)
            return pid

        def start_worker() -> int:
            # A separate program, as in production: nothing the worker needs lives in the web process.
            # (Our listening socket is not inheritable, so the worker doesn't hold the port.) Forked and
            # exec'd rather than spawned, so that it first asks to die with this process.
            argv = [sys.executable, "-m", "touchpoint.cli", "worker"]
            env = os.environ.copy()
            pid = os.fork()
            if pid == 0:
                try:
                    die_with_parent(supervisor_pid)
                    os.execve(sys.executable, argv, env)  # noqa: S606 (our own interpreter, no shell)
                finally:
                    os._exit(127)  # exec failed: the supervisor says how it ended and tries again
            return pid

        children = [Child("web server", start_web)]
        if not options["no_worker"]:
            children.append(Child("worker", start_worker))
        supervisor = Supervisor(children, say=self._say)

        def stop(signum: int, frame: FrameType | None) -> None:
            supervisor.stop()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            supervisor.run(started=lambda: self._announce(url, options["processes"], children))
        except GaveUp as exc:
            raise CommandError(f"touchpoint run stopped: {exc}") from exc
        finally:
            sock.close()
        self.stdout.write("stopped")

    def _announce(self, url: str, processes: int, children: list[Child]) -> None:
        pids = {child.name: child.pid for child in children}
        self.stdout.write(
            f"Touchpoint is serving on {url} (admin: {url}/admin/, health: {url}/healthz)"
            + f", {processes} web processes (web server pid {pids['web server']})"
            + (f", worker pid {pids['worker']}" if "worker" in pids else "")
        )
        self.stdout.write(f"Links in messages start with {settings.TOUCHPOINT_PUBLIC_URL} (TOUCHPOINT_PUBLIC_URL).")
        self.stdout.write(f"Database: {settings.DATABASES['default']['NAME']}. Stop with Ctrl-C.")
        self._first_run(url)
        self.stdout.flush()

    def _first_run(self, url: str) -> None:
        """On an empty staff table, where the owner starts and the code that proves it's them."""
        try:
            nobody = not owner_exists()
        except DatabaseError:
            return  # the database is down: /healthz says so, and the next start says this
        finally:
            connections.close_all()  # the supervisor holds no connection of its own
        if nobody:
            self.stdout.write(
                f"First run: nobody works here yet. Open {url}/setup/ and type the setup code {setup_code()}"
                " to create the owner's account."
            )

    def _say(self, line: str) -> None:
        self.stderr.write(line)
        self.stderr.flush()
