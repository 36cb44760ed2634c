"""Payments: the records (payments, their events, refunds), what a case owes, and a provider interface with
offline and Stripe Checkout providers.

Applying a provider's events, checkouts and refunds move the case too: they live in
:mod:`touchpoint.flows` (``payments``, ``refunds``; decision 11)."""
