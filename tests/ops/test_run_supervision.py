"""`touchpoint run` keeps its processes running: a worker or web server that dies is started again,
and one that keeps dying is given up on with a clear message instead of spinning (issue 13, item 7)."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.support.output import Output
from tests.support.processes import django_env, touchpoint, wait_for
from tests.support.smtp import free_port
from touchpoint.ops.models import WorkerHeartbeat
from touchpoint.ops.supervise import GIVE_UP_AFTER, RESTART_FIRST


def health(base: str) -> dict[str, Any]:
    try:
        with urllib.request.urlopen(f"{base}/healthz", timeout=5) as response:
            return dict(json.loads(response.read()))
    except OSError:
        return {}


def beating_worker() -> int:
    """The pid of the worker whose heartbeat is freshest (0 when none has beaten)."""
    beat = WorkerHeartbeat.objects.filter(stopped_at__isnull=True).order_by("-beat_at").first()
    return beat.pid if beat is not None else 0


@pytest.mark.django_db(transaction=True)
def test_run_starts_a_killed_worker_and_a_killed_web_server_again(tmp_path: Path) -> None:
    port = free_port()
    env = django_env(TOUCHPOINT_VAR_DIR=str(tmp_path))
    server = touchpoint("run", "--port", str(port), "--processes", "1", env=env)
    out, err = Output(server.stdout), Output(server.stderr)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: health(base).get("status") == "ok", timeout=90, what="the web app and its worker")
        first = beating_worker()
        assert f"worker pid {first}" in out.text()
        # When the worker is killed (the kernel's OOM killer, an operator's kill -9)
        os.kill(first, signal.SIGKILL)
        # Then run says so and starts another, which beats
        wait_for(lambda: beating_worker() not in (0, first), timeout=90, what="a new worker to beat")
        assert health(base)["worker"]["state"] == "alive"
        assert f"touchpoint run: the worker (pid {first}) was killed by SIGKILL" in err.text(), err.text()
        second = beating_worker()
        assert f"touchpoint run: the worker is running again (pid {second})" in err.text()
        # When the web server is killed
        web = int(re.findall(r"web server pid (\d+)", out.text())[-1])
        os.kill(web, signal.SIGKILL)
        wait_for(
            lambda: "touchpoint run: the web server is running again" in err.text(),
            timeout=60,
            what="a new web server",
        )
        # Then the shop answers again, from another web server
        assert health(base).get("status") == "ok"
        again = int(re.findall(r"the web server is running again \(pid (\d+)\)", err.text())[-1])
        assert again != web
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
    assert server.returncode == 0, err.close()
    assert out.close().rstrip().endswith("stopped")
    # and the worker it stopped was stopped, not killed
    assert WorkerHeartbeat.objects.get(pid=second).stopped_at is not None


def test_run_gives_up_on_a_worker_that_keeps_dying_and_says_why(tmp_path: Path) -> None:
    # Given a database nobody migrated: the web app starts, the worker can't
    env = django_env(TOUCHPOINT_VAR_DIR=str(tmp_path), TOUCHPOINT_SQLITE_PATH=str(tmp_path / "new.sqlite3"))
    env.pop("DATABASE_URL", None)
    server = touchpoint("run", "--port", str(free_port()), "--processes", "1", env=env)
    try:
        _, err = server.communicate(timeout=240)
    finally:
        if server.poll() is None:
            server.kill()
            server.communicate()
    # Then it starts the worker again, each time waiting twice as long, then gives up and stops
    restarts = re.findall(r"starting it again in (\d+) s", err)
    assert restarts == [str(int(RESTART_FIRST * 2**n)) for n in range(GIVE_UP_AFTER - 1)], err
    assert server.returncode == 1, err
    assert (
        f"the worker exited {GIVE_UP_AFTER} times in a row, each soon after it started "
        "(the last time it exited with code 1)" in err
    ), err
    assert "no such table" in err  # the worker's own words, above the verdict


@pytest.mark.django_db(transaction=True)
def test_when_run_itself_is_killed_its_web_server_and_worker_stop_and_free_the_port(tmp_path: Path) -> None:
    """An operator's kill -9 (or the OOM killer) on `touchpoint run` leaves nobody to stop its children:
    the kernel tells them (Linux), and they stop as on SIGTERM, so the port is free for the next start."""
    port = free_port()
    env = django_env(TOUCHPOINT_VAR_DIR=str(tmp_path))
    server = touchpoint("run", "--port", str(port), "--processes", "1", env=env)
    out = Output(server.stdout)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: health(base).get("status") == "ok", timeout=90, what="the web app and its worker")
        worker = beating_worker()
        web = int(re.findall(r"web server pid (\d+)", out.text())[-1])
        os.kill(server.pid, signal.SIGKILL)
        server.wait(timeout=30)
        wait_for(lambda: not alive(web) and not alive(worker), timeout=60, what="the orphans to stop")
        wait_for(lambda: not health(base), timeout=30, what="the port to stop answering")
        # and the worker stopped as on SIGTERM: its heartbeat says so
        assert WorkerHeartbeat.objects.get(pid=worker).stopped_at is not None
    finally:
        if server.poll() is None:
            server.kill()
        out.close()


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (exited, not yet reaped by init) counts as gone.
    with contextlib.suppress(OSError):
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][:1] != "Z"
    return True
