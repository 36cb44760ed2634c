"""The demo's card payment page: an offline stand-in for Stripe Checkout in test mode.

It plays Stripe's side of the wire, inside the demo: a checkout session per payment, a hosted card
page (``/demo-pay/checkout/<id>/``) that takes Stripe's test cards and never a real one, and the
events Stripe would send, signed as Stripe signs them and POSTed by the worker to ``/hooks/stripe``,
where the very code that reads Stripe's events reads them. Switched on by
``TOUCHPOINT_PAYMENT_PROVIDERS=offline,demo``; refused where the shop is served for real."""
