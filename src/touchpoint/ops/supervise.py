"""Keeping the processes of ``touchpoint run`` running, as a process manager would.

One small process (the one ``touchpoint run`` started) watches the web server and the worker it
started. One that exits while nobody asked it to stop is started again after a pause that doubles
each time it dies soon after starting; after ``GIVE_UP_AFTER`` such exits in a row everything is
stopped and the command fails, saying which and how, rather than spinning. It polls rather than
waits on signals, so the children start with the signal mask and handlers every process expects.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

RESTART_FIRST = 1.0  # seconds before the first restart …
RESTART_CAP = 30.0  # … doubling each time it dies soon after starting, up to this
STEADY_AFTER = 60.0  # a process that ran this long was fine: its next exit starts the count again
GIVE_UP_AFTER = 5  # exits in a row, each soon after starting, before giving up
STOP_WITHIN = 30.0  # seconds a process has to stop when asked (SIGTERM) before it is killed
POLL = 0.25  # seconds between looks at the processes


PR_SET_PDEATHSIG = 1  # prctl(2): the signal this process gets when the thread that made it dies


def die_with_parent(parent: int) -> None:
    """Ask the kernel to send this child SIGTERM when ``parent`` (the supervisor) dies, however it
    dies: a supervisor killed with SIGKILL can't stop its children itself, and a web server left
    behind holds the port. Kept across ``exec``. Linux only (elsewhere a no-op: stop children by hand).
    If the parent is already gone by now, stop at once."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:  # it died between fork and prctl
        os._exit(0)


class GaveUp(Exception):
    """A process kept dying; ``str()`` says which, how, and what to do."""


@dataclass
class Child:
    """One process to keep running: ``start`` starts it and returns its pid."""

    name: str
    start: Callable[[], int]
    pid: int = 0
    started_at: float = 0.0
    quick_exits: int = 0  # exits in a row, each within STEADY_AFTER of starting
    restart_at: float | None = None


def how_it_ended(status: int) -> str:
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        try:
            return f"was killed by {signal.Signals(number).name}"
        except ValueError:
            return f"was killed by signal {number}"
    return f"exited with code {os.waitstatus_to_exitcode(status)}"


def restart_delay(quick_exits: int) -> float:
    return float(min(RESTART_CAP, RESTART_FIRST * 2 ** (quick_exits - 1)))


class Supervisor:
    def __init__(self, children: list[Child], *, say: Callable[[str], None]) -> None:
        self.children = children
        self.say = say
        self._stopping = False

    def stop(self) -> None:
        """Stop everything (safe to call from a signal handler)."""
        self._stopping = True

    def run(self, *, started: Callable[[], None] | None = None) -> None:
        """Start every child (then call ``started``) and keep them running until :meth:`stop`; then
        stop them all and return. Raises :class:`GaveUp` (after stopping them all) when one keeps dying."""
        try:
            for child in self.children:
                self._start(child)
            if started is not None:
                started()
            while not self._stopping:
                for child in self.children:
                    self._look_after(child)
                time.sleep(POLL)
        finally:
            self._stop_all()

    def _start(self, child: Child) -> None:
        child.pid = child.start()
        child.started_at = time.monotonic()
        child.restart_at = None

    def _look_after(self, child: Child) -> None:
        if child.pid:
            pid, status = os.waitpid(child.pid, os.WNOHANG)
            if pid == 0:
                return  # still running
            child.pid = 0
            if self._stopping:
                return  # asked to stop with the rest
            ran = time.monotonic() - child.started_at
            child.quick_exits = child.quick_exits + 1 if ran < STEADY_AFTER else 1
            how = how_it_ended(status)
            if child.quick_exits >= GIVE_UP_AFTER:
                raise GaveUp(
                    f"the {child.name} exited {GIVE_UP_AFTER} times in a row, each soon after it started "
                    f"(the last time it {how}). Its own messages are above: put right what they say, then "
                    "start again."
                )
            delay = restart_delay(child.quick_exits)
            child.restart_at = time.monotonic() + delay
            self.say(
                f"touchpoint run: the {child.name} (pid {pid}) {how} after {ran:.0f} s; "
                f"starting it again in {delay:.0f} s"
            )
        elif child.restart_at is not None and time.monotonic() >= child.restart_at:
            self._start(child)
            self.say(f"touchpoint run: the {child.name} is running again (pid {child.pid})")

    def _stop_all(self) -> None:
        running = [c for c in self.children if c.pid]
        for child in running:
            with contextlib.suppress(ProcessLookupError):
                os.kill(child.pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_WITHIN
        while running and time.monotonic() < deadline:
            running = [c for c in running if os.waitpid(c.pid, os.WNOHANG)[0] == 0]  # (only we reap them)
            if running:
                time.sleep(POLL)
        for child in running:
            self.say(f"touchpoint run: the {child.name} (pid {child.pid}) did not stop in time; killing it")
            with contextlib.suppress(ProcessLookupError):
                os.kill(child.pid, signal.SIGKILL)
            os.waitpid(child.pid, 0)
        for child in self.children:
            child.pid = 0
