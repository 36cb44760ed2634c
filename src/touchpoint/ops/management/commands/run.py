from __future__ import annotations

import os
import signal
import subprocess
import sys
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from waitress.server import create_server


class Command(BaseCommand):
    help = "Serve the web app and run one worker beside it, until Ctrl-C or SIGTERM."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("TOUCHPOINT_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("TOUCHPOINT_PORT", "8000")))
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument("--no-worker", action="store_true", help="serve the web app only")

    def handle(self, *args: Any, **options: Any) -> None:
        # Static files are served from what collectstatic gathered; gather them so a fresh checkout just works.
        call_command("collectstatic", interactive=False, verbosity=0)
        from touchpoint.wsgi import application  # after collectstatic: WhiteNoise indexes the files when it starts

        server = create_server(
            application, host=options["host"], port=options["port"], threads=options["threads"], ident="touchpoint"
        )
        worker: subprocess.Popen[bytes] | None = None
        if not options["no_worker"]:
            # A separate process, as in production: nothing the worker needs lives in the web process.
            worker = subprocess.Popen([sys.executable, "-m", "touchpoint.cli", "worker"], env=os.environ.copy())

        def stop(signum: int, frame: FrameType | None) -> None:
            raise KeyboardInterrupt  # unwinds server.run() in the main thread; `finally` stops the worker

        signal.signal(signal.SIGTERM, stop)
        url = f"http://{options['host']}:{options['port']}"
        self.stdout.write(
            f"Touchpoint is serving on {url} (admin: {url}/admin/, health: {url}/healthz)"
            + ("" if worker is None else f", worker pid {worker.pid}")
        )
        self.stdout.write(f"Database: {settings.DATABASES['default']['NAME']}. Stop with Ctrl-C.")
        try:
            server.run()
        except KeyboardInterrupt:
            pass
        finally:
            server.close()
            if worker is not None and worker.poll() is None:
                worker.send_signal(signal.SIGTERM)
                try:
                    worker.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    worker.kill()
            self.stdout.write("stopped")
