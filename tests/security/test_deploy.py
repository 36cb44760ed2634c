"""``touchpoint check --deploy`` is clean with production settings, the way an operator runs it.

Each run is a fresh process with only what a production environment holds: no test settings, a
secret key from the environment, the shop's host, HTTPS on. Warnings go to stderr and fail the run at
``--fail-level WARNING``; the runs that must fail show the check still sees what it is asked to."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def deploy_check(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    production = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "PYTHONPATH": str(ROOT / "src"),
        "DJANGO_SETTINGS_MODULE": "touchpoint.settings",
        "TOUCHPOINT_VAR_DIR": str(tmp_path / "var"),
        "TOUCHPOINT_HTTPS": "1",
        "TOUCHPOINT_SECRET_KEY": secrets.token_urlsafe(48),  # 64 characters
        "TOUCHPOINT_ALLOWED_HOSTS": "shop.example",
        "TOUCHPOINT_PUBLIC_URL": "https://shop.example",
    }
    return subprocess.run(
        [sys.executable, "-m", "touchpoint.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env={name: value for name, value in {**production, **env}.items() if value != ""},  # "": unset
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    "extra",
    [
        pytest.param({}, id="https"),
        pytest.param({"TOUCHPOINT_BEHIND_PROXY": "1", "TOUCHPOINT_TRUSTED_PROXIES": "10.0.0.5"}, id="behind-proxy"),
        pytest.param({"STRIPE_SECRET_KEY": "sk_live_x", "STRIPE_WEBHOOK_SECRET": "whsec_x"}, id="stripe"),
    ],
)
def test_the_deploy_check_is_clean_in_production(tmp_path: Path, extra: dict[str, str]) -> None:
    result = deploy_check(tmp_path, **extra)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr == ""  # no WARNINGS block, no traceback
    assert result.stdout.startswith("System check identified no issues (")


def test_with_preload_opted_in_nothing_is_silenced(tmp_path: Path) -> None:
    result = deploy_check(tmp_path, TOUCHPOINT_HSTS_PRELOAD="1")
    assert result.stdout == "System check identified no issues (0 silenced).\n"


@pytest.mark.parametrize(
    ("env", "check_id"),
    [
        pytest.param({"TOUCHPOINT_DEBUG": "1"}, "security.W018", id="debug"),
        pytest.param({"TOUCHPOINT_SECRET_KEY": "short"}, "security.W009", id="weak-key"),
        pytest.param({"TOUCHPOINT_HTTPS": "0"}, "security.W008", id="no-https"),
        # The demo's switches: each fine on a laptop, each a leak or a silence on a real shop.
        pytest.param({"TOUCHPOINT_DEV_MAILBOX": "1"}, "touchpoint.E001", id="dev-mailbox"),
        pytest.param(
            {"TOUCHPOINT_EMAIL_BACKEND": "touchpoint.devmail.backend.CaptureBackend"}, "touchpoint.E002", id="capture"
        ),
        pytest.param({"TOUCHPOINT_PUBLIC_URL": ""}, "touchpoint.E003", id="public-url-unset"),
        pytest.param({"TOUCHPOINT_PUBLIC_URL": "http://shop.example"}, "touchpoint.E003", id="public-url-http"),
        pytest.param({"TOUCHPOINT_PUBLIC_URL": "https://other.example"}, "touchpoint.E004", id="public-url-host"),
    ],
)
def test_the_check_still_fails_what_production_must_not_run_with(
    tmp_path: Path, env: dict[str, str], check_id: str
) -> None:
    result = deploy_check(tmp_path, **env)
    assert result.returncode != 0
    assert f"({check_id})" in result.stderr
