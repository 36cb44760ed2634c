"""Offline: the customer pays by bank transfer, on invoice or when collecting; staff record it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class OfflineProvider:
    key: str = "offline"
    label: str = "Bank transfer or invoice"
    online: bool = False

    def instructions(self, *, reference: str) -> str:
        """What the customer must put on the transfer so the intake team can match it."""
        return f"Quote {reference} as the payment reference so we can match it to your order."
