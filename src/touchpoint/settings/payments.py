"""Payments: which providers are on, Stripe's keys and the shop's currency (see docs/payments.md).

``demo`` is the demo's offline stand-in for Stripe Checkout (``touchpoint.demopay``): it takes no
real money, so it is refused where the shop is served for real (``TOUCHPOINT_HTTPS=1``)."""

from __future__ import annotations

import os
import secrets

from django.core.exceptions import ImproperlyConfigured

from touchpoint.settings.base import VAR_DIR
from touchpoint.settings.env import env_bool, env_list, env_str

KNOWN_PAYMENT_PROVIDERS = ("offline", "stripe", "demo")
# The card provider "demo" switches on: Stripe's protocol played by the demo's own card page.
TOUCHPOINT_DEMO_CARD_PROVIDER = "touchpoint.demopay.provider.DemoCardProvider"

STRIPE_SECRET_KEY = env_str("STRIPE_SECRET_KEY", "")
STRIPE_WEBHOOK_SECRET = env_str("STRIPE_WEBHOOK_SECRET", "")
# Lower-case ISO 4217 code, as Stripe writes it.
TOUCHPOINT_CURRENCY = env_str("TOUCHPOINT_CURRENCY", "gbp").strip().lower()

# Offline always; Stripe too once both of its keys are set, unless the list is given explicitly.
_default_providers = ["offline", "stripe"] if STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET else ["offline"]
TOUCHPOINT_PAYMENT_PROVIDERS = [p.strip().lower() for p in env_list("TOUCHPOINT_PAYMENT_PROVIDERS", _default_providers)]

for _provider in TOUCHPOINT_PAYMENT_PROVIDERS:
    if _provider not in KNOWN_PAYMENT_PROVIDERS:
        raise ImproperlyConfigured(
            f"TOUCHPOINT_PAYMENT_PROVIDERS names {_provider!r}: use a comma-separated list of {KNOWN_PAYMENT_PROVIDERS}"
        )
if "demo" in TOUCHPOINT_PAYMENT_PROVIDERS:
    if "stripe" in TOUCHPOINT_PAYMENT_PROVIDERS:
        raise ImproperlyConfigured(
            "TOUCHPOINT_PAYMENT_PROVIDERS lists both stripe and demo: one card provider at a time "
            "(demo is the stand-in for Stripe when there is no Stripe account)"
        )
    if env_bool("TOUCHPOINT_HTTPS", False):
        raise ImproperlyConfigured(
            "TOUCHPOINT_PAYMENT_PROVIDERS includes demo, the demo's card page that takes no real money, "
            "and TOUCHPOINT_HTTPS=1 says this shop is served for real: use stripe (with its keys) or offline"
        )
if "stripe" in TOUCHPOINT_PAYMENT_PROVIDERS and not (STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET):
    raise ImproperlyConfigured(
        "TOUCHPOINT_PAYMENT_PROVIDERS includes stripe: set STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET too"
    )
if len(TOUCHPOINT_CURRENCY) != 3 or not TOUCHPOINT_CURRENCY.isalpha():
    raise ImproperlyConfigured(f"TOUCHPOINT_CURRENCY={TOUCHPOINT_CURRENCY!r} is not a 3-letter currency code, e.g. gbp")


def _demo_webhook_secret() -> str:
    """The demo's signing secret: from the environment, else made once and kept in var/ so the web
    processes and the worker (which read the same var/) sign and check with the same one."""
    if STRIPE_WEBHOOK_SECRET:
        return STRIPE_WEBHOOK_SECRET
    path = VAR_DIR / "demo_webhook_secret"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    secret = f"whsec_demo_{secrets.token_hex(24)}"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first: use theirs
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(secret)
    return secret


if "demo" in TOUCHPOINT_PAYMENT_PROVIDERS:
    # The demo's card page signs its events exactly as Stripe does, with this secret.
    STRIPE_WEBHOOK_SECRET = _demo_webhook_secret()

# Chrome applies form-action to the redirect after a form POST: the pay form redirects to Stripe.
PAYMENT_FORM_ACTIONS = ["https://checkout.stripe.com"] if "stripe" in TOUCHPOINT_PAYMENT_PROVIDERS else []

# Shown on the pay panel for a bank transfer, e.g. "Repair Shop Ltd · sort code 12-34-56 · account 12345678".
# Empty: the customer is told to reply to our email for the details or an invoice. The demo shows
# made-up details that say so.
DEMO_BANK_DETAILS = "The Repair Shop (demo) · sort code 00-00-00 · account 00000000 · demo details: send no money"
TOUCHPOINT_BANK_DETAILS = env_str(
    "TOUCHPOINT_BANK_DETAILS", DEMO_BANK_DETAILS if "demo" in TOUCHPOINT_PAYMENT_PROVIDERS else ""
)
