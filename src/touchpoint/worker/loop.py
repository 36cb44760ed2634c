"""One worker process. Many may run against one PostgreSQL; on SQLite run one.

Each pass claims a batch of due timers and a batch of due messages under leases, works them, and
beats its heartbeat. ``stop()`` (SIGTERM) lets the current item finish, then the loop ends; what
was claimed but not worked goes back when its lease runs out, so nothing is lost either way.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field

import structlog
from django.conf import settings
from django.db import close_old_connections, connection

from touchpoint.cases.models import Timer
from touchpoint.cases.services.timers import TimerOutcome, timer_fire, timer_record_error
from touchpoint.core.clock import now
from touchpoint.core.ratelimit import ratelimit_prune
from touchpoint.ops.models import WorkerHeartbeat
from touchpoint.outbox.channels import PermanentFailure, TemporaryFailure, channel_for
from touchpoint.outbox.models import MessageStatus, OutboxMessage
from touchpoint.outbox.services import claim_due, message_mark_failed, message_mark_sent
from touchpoint.themes.services import themes_refresh
from touchpoint.worker.jobs import jobs

log = structlog.get_logger("touchpoint.worker")
HOUSEKEEPING_EVERY = 600.0  # seconds between clean-ups (rate-limit windows) and the daily regrouping of themes


@dataclass
class PassResult:
    timers: dict[str, int] = field(default_factory=dict)
    sent: int = 0
    retried: int = 0
    dead: int = 0
    jobs: dict[str, int] = field(default_factory=dict)  # items each job of worker.jobs worked

    @property
    def worked(self) -> int:
        return sum(self.timers.values()) + self.sent + self.retried + self.dead + sum(self.jobs.values())


class Worker:
    def __init__(
        self,
        *,
        batch: int | None = None,
        lease_seconds: float | None = None,
        idle_sleep: float | None = None,
        worker_id: str | None = None,
    ) -> None:
        self.batch = batch or settings.TOUCHPOINT_WORKER_BATCH
        self.lease_seconds = lease_seconds or settings.TOUCHPOINT_WORKER_LEASE_SECONDS
        self.idle_sleep = idle_sleep if idle_sleep is not None else settings.TOUCHPOINT_WORKER_IDLE_SLEEP
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self._stopping = threading.Event()
        self.totals = PassResult()
        self._housekeeping_due = 0.0  # monotonic time; the first pass tidies up

    def stop(self) -> None:
        """Ask the loop to end after the item in hand (safe to call from a signal handler)."""
        self._stopping.set()

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    def run(self, *, until_idle: bool = False, max_passes: int | None = None) -> PassResult:
        """Loop until stopped (or, with ``until_idle``, until a pass finds nothing due)."""
        self._beat(started=True)
        log.info("worker.started", worker=self.worker_id, batch=self.batch, lease_seconds=self.lease_seconds)
        passes = 0
        try:
            while not self.stopping:
                if not connection.in_atomic_block:  # (never true in production; tests run inside one)
                    close_old_connections()  # drop a connection the database closed, as Django does per request
                result = self.run_once()
                passes += 1
                self._beat()
                if (until_idle and result.worked == 0) or (max_passes is not None and passes >= max_passes):
                    break
                if result.worked == 0:
                    self._stopping.wait(self.idle_sleep)
        finally:
            self._beat(stopped=True)
            log.info("worker.stopped", worker=self.worker_id, sent=self.totals.sent, timers=self.totals.timers)
        return self.totals

    def run_once(self) -> PassResult:
        result = PassResult()
        self._housekeeping()
        self._fire_timers(result)
        if not self.stopping:
            self._send_messages(result)
        for name, job in jobs():
            if self.stopping:
                break
            try:
                worked = job(worker_id=self.worker_id, batch=self.batch, lease_seconds=self.lease_seconds)
            except Exception:  # one area's failure must not stop the timers and messages of the next pass
                log.exception("worker.job_error", job=name)
                continue
            if worked:
                result.jobs[name] = worked
                self.totals.jobs[name] = self.totals.jobs.get(name, 0) + worked
        self.totals.sent += result.sent
        self.totals.retried += result.retried
        self.totals.dead += result.dead
        for key, count in result.timers.items():
            self.totals.timers[key] = self.totals.timers.get(key, 0) + count
        return result

    def _housekeeping(self) -> None:
        """Now and then, delete what has served its purpose (ended rate-limit windows)."""
        if time.monotonic() < self._housekeeping_due:
            return
        self._housekeeping_due = time.monotonic() + HOUSEKEEPING_EVERY
        try:
            pruned = ratelimit_prune()
            run = themes_refresh()
        except Exception:  # tidying up must never stop the sending
            log.exception("worker.housekeeping_error")
        else:
            if pruned or run is not None:
                log.info("worker.housekeeping", rate_windows_pruned=pruned, themes=run.themes.count() if run else None)

    def _fire_timers(self, result: PassResult) -> None:
        ids = claim_due(
            Timer, due_field="due_at", worker_id=self.worker_id, batch=self.batch, lease_seconds=self.lease_seconds
        )
        for timer_id in ids:
            if self.stopping:
                return  # the rest go back when their lease runs out
            try:
                outcome = timer_fire(timer_id=timer_id, worker_id=self.worker_id)
            except Exception as exc:  # one bad timer must not stop the others
                log.exception("worker.timer_error", timer=timer_id)
                outcome = timer_record_error(timer_id=timer_id, worker_id=self.worker_id, error=repr(exc))
            result.timers[outcome.value] = result.timers.get(outcome.value, 0) + 1
            log.info("worker.timer", timer=timer_id, outcome=outcome.value)

    def _send_messages(self, result: PassResult) -> None:
        ids = claim_due(
            OutboxMessage,
            due_field="next_attempt_at",
            worker_id=self.worker_id,
            batch=self.batch,
            lease_seconds=self.lease_seconds,
        )
        if not ids:
            return
        messages = list(OutboxMessage.objects.filter(id__in=ids).order_by("next_attempt_at", "id"))
        by_channel: dict[str, list[OutboxMessage]] = {}
        for message in messages:
            by_channel.setdefault(message.channel, []).append(message)
        for name, group in by_channel.items():
            try:
                channel = channel_for(name)
            except PermanentFailure as exc:
                for message in group:
                    self._failed(message, str(exc), permanent=True, result=result)
                continue
            with channel:
                for message in group:
                    if self.stopping:
                        return
                    try:
                        channel.send(message)
                    except TemporaryFailure as exc:
                        self._failed(message, str(exc), permanent=False, result=result)
                    except PermanentFailure as exc:
                        self._failed(message, str(exc), permanent=True, result=result)
                    else:
                        message_mark_sent(message=message, worker_id=self.worker_id)
                        result.sent += 1
                        log.info("worker.sent", message=message.pk, case=message.case_id, to=message.recipient)

    def _failed(self, message: OutboxMessage, error: str, *, permanent: bool, result: PassResult) -> None:
        status = message_mark_failed(message=message, worker_id=self.worker_id, error=error, permanent=permanent)
        if status == MessageStatus.DEAD:
            result.dead += 1
            log.error("worker.message_dead", message=message.pk, error=error)
        else:
            result.retried += 1
            log.warning("worker.message_retry", message=message.pk, error=error)

    def _beat(self, *, started: bool = False, stopped: bool = False) -> None:
        at = now()
        defaults = {
            "hostname": socket.gethostname(),
            "pid": os.getpid(),
            "beat_at": at,
            "messages_sent": self.totals.sent,
            "timers_fired": self.totals.timers.get(TimerOutcome.FIRED, 0),
        }
        if started:
            defaults |= {"started_at": at, "stopped_at": None}
        if stopped:
            defaults["stopped_at"] = at
        WorkerHeartbeat.objects.update_or_create(
            worker_id=self.worker_id, defaults=defaults, create_defaults={**defaults, "started_at": at}
        )
