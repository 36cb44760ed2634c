"""Payments: which providers are on, Stripe's keys and the shop's currency (see docs/payments.md)."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from touchpoint.settings.env import env_list, env_str

KNOWN_PAYMENT_PROVIDERS = ("offline", "stripe")

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
if "stripe" in TOUCHPOINT_PAYMENT_PROVIDERS and not (STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET):
    raise ImproperlyConfigured(
        "TOUCHPOINT_PAYMENT_PROVIDERS includes stripe: set STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET too"
    )
if len(TOUCHPOINT_CURRENCY) != 3 or not TOUCHPOINT_CURRENCY.isalpha():
    raise ImproperlyConfigured(f"TOUCHPOINT_CURRENCY={TOUCHPOINT_CURRENCY!r} is not a 3-letter currency code, e.g. gbp")

# Chrome applies form-action to the redirect after a form POST: the pay form redirects to Stripe.
PAYMENT_FORM_ACTIONS = ["https://checkout.stripe.com"] if "stripe" in TOUCHPOINT_PAYMENT_PROVIDERS else []

# Shown on the pay panel for a bank transfer, e.g. "Repair Shop Ltd · sort code 12-34-56 · account 12345678".
# Empty: the customer is told to reply to our email for the details or an invoice.
TOUCHPOINT_BANK_DETAILS = env_str("TOUCHPOINT_BANK_DETAILS", "")
