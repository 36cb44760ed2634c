"""Insights: where the process hurts. Figures computed from the cases' own records (timeline,
timers, outbox, feedback, remedies), drawn as server-rendered SVG, exported as CSV and printed by
``touchpoint insights``."""
