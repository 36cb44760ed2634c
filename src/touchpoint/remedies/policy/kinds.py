"""The remedies a policy can grant. A fixed list: each kind is something the shop knows how to do
(and tell the customer about); a policy only says who may do it, for whom, and how far."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    monetary: bool  # limited by an amount of money (per case); otherwise by a count per case


KINDS: dict[str, Kind] = {
    k.key: k
    for k in (
        Kind("refund", "Refund", monetary=True),
        Kind("goodwill_credit", "Goodwill credit", monetary=True),
        Kind("fee_waiver", "Fee waiver", monetary=True),
        Kind("replacement", "Replacement", monetary=False),
        Kind("expedited_return", "Expedited return", monetary=False),
        Kind("warranty_swap_without_receipt", "Warranty swap without receipt", monetary=False),
    )
}
ROLES = ("agent", "lead", "admin")
DECIDERS = ("lead", "admin")  # who may decide a request over someone's limit
TIERS = ("standard", "gold", "platinum")
# More than this per case is almost certainly a typo (an extra zero), not a policy.
MAX_AMOUNT = 10_000
MAX_COUNT = 10
