"""Health, migrations in step with models, and deploy checks clean with production settings."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from tests.support.processes import ROOT, django_env
from touchpoint.core.clock import now
from touchpoint.ops.models import WorkerHeartbeat


@pytest.mark.django_db
def test_healthz_reports_the_database_and_a_fresh_worker(client: Client) -> None:
    WorkerHeartbeat.objects.create(worker_id="w1", hostname="h", pid=1, started_at=now(), beat_at=now())
    response = client.get("/healthz")
    body = response.json()
    assert response.status_code == 200
    assert (body["status"], body["database"], body["worker"]["state"]) == ("ok", "ok", "alive")
    assert "id" not in body["worker"]  # which worker (host and process) is for staff: tests/ops/test_health.py
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db
def test_healthz_says_degraded_when_no_worker_has_beaten_for_a_minute(client: Client) -> None:
    WorkerHeartbeat.objects.create(
        worker_id="w1", hostname="h", pid=1, started_at=now(), beat_at=now() - timedelta(minutes=5)
    )
    body = client.get("/healthz").json()
    assert (body["status"], body["worker"]["state"]) == ("degraded", "stale")
    assert 299 < body["worker"]["age_seconds"] < 330


@pytest.mark.django_db
def test_healthz_says_degraded_when_no_worker_runs(client: Client) -> None:
    body = client.get("/healthz").json()
    assert body == {"status": "degraded", "database": "ok", "worker": {"state": "none running", "age_seconds": None}}


@pytest.mark.django_db
def test_every_model_change_has_its_migration() -> None:
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


def test_deploy_checks_are_clean_with_production_settings(tmp_path: Any) -> None:
    env = django_env(
        DJANGO_SETTINGS_MODULE="touchpoint.settings",
        TOUCHPOINT_HTTPS="1",
        TOUCHPOINT_ALLOWED_HOSTS="repairs.example.com",
        TOUCHPOINT_PUBLIC_URL="https://repairs.example.com",
        TOUCHPOINT_VAR_DIR=str(tmp_path),
    )
    result = subprocess.run(
        [sys.executable, "-m", "touchpoint.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # The one silenced is security.W021 (HSTS preload), off unless the shop opts in: tests/ops/test_hsts.py
    assert "System check identified no issues (1 silenced)." in result.stdout


def test_a_bad_environment_value_names_the_variable_and_the_fix(tmp_path: Any) -> None:
    env = django_env(
        DJANGO_SETTINGS_MODULE="touchpoint.settings", TOUCHPOINT_HTTPS="maybe", TOUCHPOINT_VAR_DIR=str(tmp_path)
    )
    result = subprocess.run(
        [sys.executable, "-m", "touchpoint.cli", "check"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "TOUCHPOINT_HTTPS='maybe' is not a yes/no value — set it to 1 or 0" in result.stderr
