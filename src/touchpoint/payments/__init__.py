"""Payments: a provider interface with offline and Stripe Checkout providers; webhooks verified and applied once."""
