"""/healthz tells anyone whether the shop is up, and nothing about the machine: the host name, the
process id and the worker's name are for signed-in staff only."""

from __future__ import annotations

import signal
import socket
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.test import Client

from tests.support.factories import StaffFactory
from tests.support.processes import django_env, touchpoint, wait_for
from tests.support.smtp import free_port
from touchpoint.ops.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db(transaction=True)


def test_healthz_tells_a_stranger_the_status_and_heartbeat_age_but_not_the_machine() -> None:
    # given a worker running beside the app, as `touchpoint worker` runs it
    worker = touchpoint("worker", env=django_env())
    try:
        wait_for(lambda: WorkerHeartbeat.objects.exists(), timeout=90, what="the worker's first heartbeat")
        beat = WorkerHeartbeat.objects.get()
        # when a stranger asks
        response = Client().get("/healthz")
        # then they learn it is up and how fresh the heartbeat is
        body = response.json()
        assert response.status_code == 200
        assert (body["status"], body["database"], body["worker"]["state"]) == ("ok", "ok", "alive")
        assert isinstance(body["worker"]["age_seconds"], float)
        assert set(body) == {"status", "database", "worker"}
        assert set(body["worker"]) == {"state", "age_seconds"}
        # and nothing that names the machine or the process
        text = response.content.decode()
        assert socket.gethostname() not in text
        assert str(beat.pid) not in text.replace(str(body["worker"]["age_seconds"]), "")
        assert beat.worker_id not in text

        # when a signed-in staff member asks, they also see which worker beat
        staff = Client()
        staff.force_login(StaffFactory(username="ops"))
        detailed = staff.get("/healthz").json()
        assert detailed["worker"]["id"] == beat.worker_id
        assert detailed["status"] == "ok"
    finally:
        worker.terminate()
        worker.communicate(timeout=60)


def test_with_the_database_gone_a_stranger_hears_it_is_down_and_no_more(tmp_path: Path) -> None:
    # given the app running while its database can't be reached
    port = free_port()
    nowhere = f"postgresql://touchpoint@127.0.0.1:{free_port()}/gone"  # nothing listens there
    env = django_env(DATABASE_URL=nowhere, TOUCHPOINT_VAR_DIR=str(tmp_path))
    server = touchpoint("run", "--no-worker", "--processes", "1", "--port", str(port), env=env)
    answers: list[tuple[int, bytes]] = []

    def answered() -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
                answers.append((response.status, response.read()))
        except urllib.error.HTTPError as refused:
            answers.append((refused.code, refused.read()))
        except OSError:
            return False
        return True

    try:
        wait_for(answered, timeout=90, what="the app to answer")
    finally:
        server.send_signal(signal.SIGTERM)
        server.communicate(timeout=60)
    # then the answer is 503 saying so, without the database error's name
    assert answers[-1] == (503, b'{"status": "down", "database": "unreachable", "worker": null}')
