"""Carriers: the signing secret of each tracking aggregator's webhooks (see docs/carriers.md).

A provider with no secret here answers 503 at its webhook and accepts nothing: events are never
taken unsigned."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from touchpoint.settings.env import env_int, env_json, env_list, env_str

# AfterShip: Settings > Notifications > Webhooks, "webhook secret".
TOUCHPOINT_CARRIER_AFTERSHIP_SECRET = env_str("TOUCHPOINT_CARRIER_AFTERSHIP_SECRET", "")
# EasyPost: the webhook's `webhook_secret`, given when the webhook is created.
TOUCHPOINT_CARRIER_EASYPOST_SECRET = env_str("TOUCHPOINT_CARRIER_EASYPOST_SECRET", "")
# Shippo: the HMAC secret Shippo shares when HMAC is switched on for the account.
TOUCHPOINT_CARRIER_SHIPPO_SECRET = env_str("TOUCHPOINT_CARRIER_SHIPPO_SECRET", "")
# The largest webhook body taken (bytes): a tracking with every checkpoint is tens of kilobytes.
TOUCHPOINT_CARRIER_MAX_BYTES = 1024 * 1024

# --- Labels bought and trackers polled through the aggregator's API (docs/carriers.md, "Labels", "Polling")
# Which aggregator buys the prepaid labels: "easypost" or "shippo". Blank: the shop prints its own
# ("postage paid by the shop", shipping/labels.py). AfterShip tracks parcels but sells no labels.
TOUCHPOINT_CARRIER_LABELS = env_str("TOUCHPOINT_CARRIER_LABELS", "").strip().lower()
if TOUCHPOINT_CARRIER_LABELS not in ("", "easypost", "shippo"):
    raise ImproperlyConfigured(
        f"TOUCHPOINT_CARRIER_LABELS={TOUCHPOINT_CARRIER_LABELS!r}: labels are bought through easypost or shippo "
        "(AfterShip sells none) — set one of those, or leave it blank for the shop's own printed label"
    )
# The aggregators whose parcels the worker polls because no webhook speaks for them, e.g. "shippo".
TOUCHPOINT_CARRIER_POLL = [p.lower() for p in env_list("TOUCHPOINT_CARRIER_POLL", [])]
if unknown := sorted(set(TOUCHPOINT_CARRIER_POLL) - {"aftership", "easypost", "shippo"}):
    raise ImproperlyConfigured(
        f"TOUCHPOINT_CARRIER_POLL names {', '.join(unknown)}: list aftership, easypost or shippo, comma-separated"
    )
# The aggregator a tracking number typed at the scan station is registered with, so that it sends that
# parcel's events (and the poller can ask about it): "aftership", "easypost" or "shippo". Blank: not registered.
TOUCHPOINT_CARRIER_TRACKER = env_str("TOUCHPOINT_CARRIER_TRACKER", "").strip().lower()
if TOUCHPOINT_CARRIER_TRACKER not in ("", "aftership", "easypost", "shippo"):
    raise ImproperlyConfigured(
        f"TOUCHPOINT_CARRIER_TRACKER={TOUCHPOINT_CARRIER_TRACKER!r}: name aftership, easypost or shippo, "
        "or leave it blank to leave typed tracking numbers unregistered"
    )
# Each aggregator's API key (EasyPost: HTTP Basic user; Shippo: "ShippoToken <key>"; AfterShip: as-api-key),
# and where its API is (tests point these at a server on loopback).
TOUCHPOINT_CARRIER_EASYPOST_API_KEY = env_str("TOUCHPOINT_CARRIER_EASYPOST_API_KEY", "")
TOUCHPOINT_CARRIER_EASYPOST_API_BASE = env_str("TOUCHPOINT_CARRIER_EASYPOST_API_BASE", "https://api.easypost.com")
TOUCHPOINT_CARRIER_SHIPPO_API_KEY = env_str("TOUCHPOINT_CARRIER_SHIPPO_API_KEY", "")
TOUCHPOINT_CARRIER_SHIPPO_API_BASE = env_str("TOUCHPOINT_CARRIER_SHIPPO_API_BASE", "https://api.goshippo.com")
TOUCHPOINT_CARRIER_AFTERSHIP_API_KEY = env_str("TOUCHPOINT_CARRIER_AFTERSHIP_API_KEY", "")
TOUCHPOINT_CARRIER_AFTERSHIP_API_BASE = env_str("TOUCHPOINT_CARRIER_AFTERSHIP_API_BASE", "https://api.aftership.com")
# Seconds one API call may take: a worker's pass holds its leases meanwhile.
TOUCHPOINT_CARRIER_API_TIMEOUT = env_int("TOUCHPOINT_CARRIER_API_TIMEOUT", 10)
# The shop's address as the aggregator wants it ({"street1", "street2", "city", "zip", "country", "phone"});
# empty: read from TOUCHPOINT_SHOP_ADDRESS's lines (street, town, postcode, country).
TOUCHPOINT_CARRIER_SHOP_ADDRESS = env_json("TOUCHPOINT_CARRIER_SHOP_ADDRESS", {})
# The parcel a repair kit's device travels in (cm, grams): what the rates are asked for.
TOUCHPOINT_CARRIER_PARCEL = env_json(
    "TOUCHPOINT_CARRIER_PARCEL", {"length": 22, "width": 16, "height": 8, "weight": 500}
)
# The demo's carrier (demo/carrier_sim.py, on while the demo is): seconds between a parcel's checkpoints.
TOUCHPOINT_DEMO_CARRIER_STEP_SECONDS = env_int("TOUCHPOINT_DEMO_CARRIER_STEP_SECONDS", 90)
