"""Carriers: the signing secret of each tracking aggregator's webhooks (see docs/carriers.md).

A provider with no secret here answers 503 at its webhook and accepts nothing: events are never
taken unsigned."""

from __future__ import annotations

from touchpoint.settings.env import env_str

# AfterShip: Settings > Notifications > Webhooks, "webhook secret".
TOUCHPOINT_CARRIER_AFTERSHIP_SECRET = env_str("TOUCHPOINT_CARRIER_AFTERSHIP_SECRET", "")
# EasyPost: the webhook's `webhook_secret`, given when the webhook is created.
TOUCHPOINT_CARRIER_EASYPOST_SECRET = env_str("TOUCHPOINT_CARRIER_EASYPOST_SECRET", "")
# Shippo: the HMAC secret Shippo shares when HMAC is switched on for the account.
TOUCHPOINT_CARRIER_SHIPPO_SECRET = env_str("TOUCHPOINT_CARRIER_SHIPPO_SECRET", "")
# The largest webhook body taken (bytes): a tracking with every checkpoint is tens of kilobytes.
TOUCHPOINT_CARRIER_MAX_BYTES = 1024 * 1024
