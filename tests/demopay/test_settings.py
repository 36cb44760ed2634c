"""Switching the demo card page on (``TOUCHPOINT_PAYMENT_PROVIDERS=offline,demo``): its signing secret
is made once and kept in var/, bank transfer shows made-up details that say so, and it is refused
where the shop is served for real."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.processes import django_env

ROOT = Path(__file__).resolve().parents[2]
PRINT = (
    "from django.conf import settings as s; "
    "print(s.TOUCHPOINT_PAYMENT_PROVIDERS, [str(x) for x in s.SECURE_CSP['form-action']]); "
    "print(s.STRIPE_WEBHOOK_SECRET); print(s.TOUCHPOINT_BANK_DETAILS)"
)
CLEARED = ("STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET", "TOUCHPOINT_PAYMENT_PROVIDERS", "TOUCHPOINT_BANK_DETAILS")


def run(tmp_path: Path, args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    environment = django_env(DJANGO_SETTINGS_MODULE="touchpoint.settings", TOUCHPOINT_VAR_DIR=str(tmp_path), **env)
    for name in CLEARED:
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


def test_the_demo_card_page_keeps_its_signing_secret_in_var_and_shows_demo_bank_details(tmp_path: Path) -> None:
    first = run(tmp_path, ["shell", "--no-imports", "-c", PRINT], TOUCHPOINT_PAYMENT_PROVIDERS="offline,demo")
    second = run(tmp_path, ["shell", "--no-imports", "-c", PRINT], TOUCHPOINT_PAYMENT_PROVIDERS="offline,demo")

    assert first.returncode == 0, first.stderr
    providers, secret, bank = first.stdout.strip().splitlines()
    assert providers == "['offline', 'demo'] [\"'self'\"]"  # the card page is our own origin: nothing else
    assert secret.startswith("whsec_demo_") and len(secret) == len("whsec_demo_") + 48
    assert (tmp_path / "demo_webhook_secret").read_text() == secret
    assert oct((tmp_path / "demo_webhook_secret").stat().st_mode & 0o777) == "0o600"
    assert second.stdout == first.stdout  # the web processes and the worker agree on it
    assert bank == "The Repair Shop (demo) · sort code 00-00-00 · account 00000000 · demo details: send no money"


def test_a_secret_and_bank_details_given_are_used(tmp_path: Path) -> None:
    result = run(
        tmp_path,
        ["shell", "--no-imports", "-c", PRINT],
        TOUCHPOINT_PAYMENT_PROVIDERS="offline,demo",
        STRIPE_WEBHOOK_SECRET="whsec_given",
        TOUCHPOINT_BANK_DETAILS="Shop Ltd · 12-34-56 · 12345678",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[1:] == ["whsec_given", "Shop Ltd · 12-34-56 · 12345678"]
    assert not (tmp_path / "demo_webhook_secret").exists()


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"TOUCHPOINT_PAYMENT_PROVIDERS": "offline,demo", "TOUCHPOINT_HTTPS": "1"},
            "TOUCHPOINT_PAYMENT_PROVIDERS includes demo, the demo's card page that takes no real money, and "
            "TOUCHPOINT_HTTPS=1 says this shop is served for real: use stripe (with its keys) or offline",
        ),
        (
            {
                "TOUCHPOINT_PAYMENT_PROVIDERS": "offline,stripe,demo",
                "STRIPE_SECRET_KEY": "sk_test_x",
                "STRIPE_WEBHOOK_SECRET": "whsec_x",
            },
            "TOUCHPOINT_PAYMENT_PROVIDERS lists both stripe and demo: one card provider at a time "
            "(demo is the stand-in for Stripe when there is no Stripe account)",
        ),
    ],
)
def test_the_demo_card_page_is_refused_where_it_would_take_real_customers(
    tmp_path: Path, env: dict[str, str], message: str
) -> None:
    result = run(tmp_path, ["check"], **env)
    assert result.returncode != 0
    assert f"touchpoint: configuration error: {message}" in result.stderr
