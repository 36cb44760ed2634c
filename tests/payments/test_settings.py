"""Payment settings from the environment: Stripe switches itself on with its keys, the deploy check
stays clean with it on, and a wrong value names the variable and the fix."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.support.processes import django_env

ROOT = Path(__file__).resolve().parents[2]
PRINT = (
    "from django.conf import settings as s; "
    "print(s.TOUCHPOINT_PAYMENT_PROVIDERS, s.TOUCHPOINT_CURRENCY, [str(x) for x in s.SECURE_CSP['form-action']])"
)


def run(tmp_path: Path, args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    environment = django_env(DJANGO_SETTINGS_MODULE="touchpoint.settings", TOUCHPOINT_VAR_DIR=str(tmp_path), **env)
    for name in ("STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET", "TOUCHPOINT_PAYMENT_PROVIDERS", "TOUCHPOINT_CURRENCY"):
        if name not in env:
            environment.pop(name, None)
    return subprocess.run(
        [sys.executable, "-m", "touchpoint.cli", *args],
        env=environment,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_offline_only_by_default_and_forms_post_only_to_ourselves(tmp_path: Path) -> None:
    result = run(tmp_path, ["shell", "--no-imports", "-c", PRINT])
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['offline'] gbp [\"'self'\"]"


def test_stripe_keys_switch_stripe_on_and_let_the_pay_form_redirect_to_checkout(tmp_path: Path) -> None:
    result = run(
        tmp_path, ["shell", "--no-imports", "-c", PRINT], STRIPE_SECRET_KEY="sk_test_x", STRIPE_WEBHOOK_SECRET="whsec_x"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['offline', 'stripe'] gbp [\"'self'\", 'https://checkout.stripe.com']"


def test_the_deploy_check_is_clean_with_stripe_on(tmp_path: Path) -> None:
    result = run(
        tmp_path,
        ["check", "--deploy", "--fail-level", "WARNING"],
        TOUCHPOINT_HTTPS="1",
        TOUCHPOINT_ALLOWED_HOSTS="repairs.example.com",
        TOUCHPOINT_PUBLIC_URL="https://repairs.example.com",
        STRIPE_SECRET_KEY="sk_live_x",
        STRIPE_WEBHOOK_SECRET="whsec_x",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # The one silenced is security.W021 (HSTS preload), off unless the shop opts in: tests/ops/test_hsts.py
    assert "System check identified no issues (1 silenced)." in result.stdout


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"TOUCHPOINT_PAYMENT_PROVIDERS": "offline,paypal"},
            "TOUCHPOINT_PAYMENT_PROVIDERS names 'paypal': use a comma-separated list of ('offline', 'stripe', 'demo')",
        ),
        (
            {"TOUCHPOINT_PAYMENT_PROVIDERS": "stripe"},
            "TOUCHPOINT_PAYMENT_PROVIDERS includes stripe: set STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET too",
        ),
        ({"TOUCHPOINT_CURRENCY": "pounds"}, "TOUCHPOINT_CURRENCY='pounds' is not a 3-letter currency code, e.g. gbp"),
    ],
)
def test_a_wrong_payment_setting_names_the_variable_and_the_fix(tmp_path: Path, env: Any, message: str) -> None:
    result = run(tmp_path, ["check"], **env)
    assert result.returncode != 0
    assert message in result.stderr
