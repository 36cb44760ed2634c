"""Payment providers behind one interface (``base.PaymentProvider``): offline and Stripe Checkout."""
