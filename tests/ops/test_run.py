"""`touchpoint run`: the web app and one worker together, stopped cleanly by SIGTERM."""

from __future__ import annotations

import json
import signal
import urllib.request
from pathlib import Path

import pytest

from tests.support.processes import django_env, touchpoint, wait_for
from tests.support.smtp import free_port
from touchpoint.ops.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db(transaction=True)


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read()
    except OSError:
        return 0, b""


def test_run_serves_the_web_app_with_a_worker_and_stops_both_on_sigterm(tmp_path: Path) -> None:
    port = free_port()
    server = touchpoint("run", "--port", str(port), env=django_env(TOUCHPOINT_VAR_DIR=str(tmp_path)))
    base = f"http://127.0.0.1:{port}"
    wait_for(
        lambda: get(f"{base}/healthz")[0] == 200 and json.loads(get(f"{base}/healthz")[1])["status"] == "ok",
        timeout=90,
        what="the web app to answer and its worker to beat",
    )
    status, page = get(f"{base}/")
    assert status == 200 and b"Touchpoint" in page
    css = get(f"{base}/static/touchpoint/site.css")  # collected at start, served by WhiteNoise
    assert css[0] == 200 and b"--accent" in css[1]
    server.send_signal(signal.SIGTERM)
    out, err = server.communicate(timeout=60)
    assert server.returncode == 0, err
    assert f"Touchpoint is serving on {base}" in out and out.rstrip().endswith("stopped")
    assert WorkerHeartbeat.objects.get().stopped_at is not None  # the worker was stopped, not killed
