from __future__ import annotations

import signal
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from touchpoint.worker.loop import Worker


class Command(BaseCommand):
    help = "Fire due timers and send due messages until stopped (SIGTERM or Ctrl-C stop it gracefully)."

    def get_check_kwargs(self, options: Any) -> Any:  # django-stubs types its keys loosely
        # Only the checks that need no database: Django's own would ask PostgreSQL its version (for the
        # generated columns), and a database that is down must not stop the start; /healthz says so.
        kwargs: dict[Any, Any] = dict(super().get_check_kwargs(options))
        return {**kwargs, "databases": []}

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", type=int, default=None, help="rows claimed per pass (default 100)")
        parser.add_argument("--lease", type=float, default=None, help="seconds a claim is held (default 120)")
        parser.add_argument("--until-idle", action="store_true", help="stop when a pass finds nothing due")
        parser.add_argument(
            "--id", dest="worker_id", default=None, help="a name for this worker in logs, unique: it holds leases by it"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        worker = Worker(batch=options["batch"], lease_seconds=options["lease"], worker_id=options["worker_id"])

        def stop(signum: int, frame: FrameType | None) -> None:
            worker.stop()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        totals = worker.run(until_idle=options["until_idle"])
        fired = ", ".join(f"{count} {outcome}" for outcome, count in sorted(totals.timers.items())) or "none"
        self.stdout.write(
            f"worker {worker.worker_id} stopped: {totals.sent} sent, {totals.retried} to retry, "
            f"{totals.dead} given to a person; timers: {fired}"
        )
