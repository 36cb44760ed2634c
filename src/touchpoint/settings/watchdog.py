"""The parcel watchdog and the lane figures it learns from (docs/carriers.md, "The watchdog").

A parcel with no carrier scan for longer than its lane's p90 transit plus a margin becomes a
person's task; until a lane has enough deliveries to trust, the bound is kept between a floor and a
ceiling. The journey's own wait limit on a carrier-owned state stays the outer bound."""

from __future__ import annotations

from touchpoint.settings.env import env_float, env_int

# Deliveries a lane needs before its p90 alone sets the bound (fewer: thin history, kept within floor..ceiling).
TOUCHPOINT_WATCHDOG_MIN_DELIVERIES = env_int("TOUCHPOINT_WATCHDOG_MIN_DELIVERIES", 20)
# Added to the lane's p90, in percent: a parcel a little slower than nine in ten is not yet lost.
TOUCHPOINT_WATCHDOG_MARGIN_PERCENT = env_int("TOUCHPOINT_WATCHDOG_MARGIN_PERCENT", 25)
# Thin history: never sooner than this after the last scan (hours; fractions allowed: the demo's
# parcels scan every 90 seconds, so it watches in minutes) ...
TOUCHPOINT_WATCHDOG_FLOOR_HOURS = env_float("TOUCHPOINT_WATCHDOG_FLOOR_HOURS", 24)
# ... and never later (hours); with no history at all the ceiling is the bound.
TOUCHPOINT_WATCHDOG_CEILING_HOURS = env_float("TOUCHPOINT_WATCHDOG_CEILING_HOURS", 120)
# How often the worker looks for lanes with new deliveries to work out again (seconds).
TOUCHPOINT_LANE_REFRESH_SECONDS = env_int("TOUCHPOINT_LANE_REFRESH_SECONDS", 300)
