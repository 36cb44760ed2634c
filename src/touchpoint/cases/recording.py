"""Which events are recorded by an area's own panel rather than by the generic buttons.

An event that carries a record of its own (a quote and its lines, a payment, feedback, a remedy)
is taken through the panel that writes that record with the move, on the console and on the
customer's page alike: a bare button would move the case while the record said otherwise, and a
second way to do one thing (record an offline payment, say) is one too many. Everything else a
journey lets a person or a customer do is offered generically, from the journey itself."""

from __future__ import annotations

# event → the area whose panel records it
OWN_PANEL: dict[str, str] = {
    "diagnosed": "quotes",
    "quote_revised": "quotes",
    "quote_approved": "quotes",
    "quote_declined": "quotes",
    "card_submitted": "payments",
    "offline_payment_received": "payments",
    "payment_succeeded": "payments",
    "payment_declined": "payments",
    "balance_paid": "payments",
    "balance_waived": "remedies",
    "feedback_given": "feedback",
}


def generic(event: str) -> bool:
    """May the generic buttons (console actions, the customer's action panel) offer ``event``?"""
    return event not in OWN_PANEL
